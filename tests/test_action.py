"""The GitHub Action (action.yml, composite): its metadata, and its steps run here in order, with bash, as a
runner runs them: ``${{ ... }}`` replaced from the inputs and the outputs of earlier steps, a fresh
GITHUB_OUTPUT per step, GITHUB_STEP_SUMMARY and GITHUB_ENV files, ``if:`` conditions evaluated, a failed
step skipping what follows unless its condition says ``always()``. The ``uses:`` steps (setup-python, cache,
upload-artifact, upload-sarif) are not run: their resolved ``with:`` is recorded and checked instead.

The scan runs against the fake internet with the scanner of this checkout (``install: false``; a
``scanner`` command on PATH runs ``python -m scanner`` from here). The install steps are run separately
with a ``python`` that records what pip would be asked to install.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass, field, replace
from pathlib import Path

import pytest
import yaml
from conftest import REPO

from scanner.model import ScanResult
from scanner.report import FILES, parse_formats
from scanner.report.sarif import build_sarif

ACTION = yaml.safe_load((REPO / "action.yml").read_text(encoding="utf-8"))
STEPS: list[dict] = ACTION["runs"]["steps"]
EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
# The conditions this runner understands: always() and comparisons of a context value with a literal,
# joined by &&. A condition outside that grammar fails the test instead of being guessed.
TERM = re.compile(r"^(?:always\(\)|([\w.-]+)\s*(==|!=)\s*'([^']*)')$")
REPORTS = {"report.html", "scan.json", "results.sarif", "junit.xml", "summary.md", "codequality.json"}


def step_named(name: str) -> dict:
    (step,) = [s for s in STEPS if s.get("name") == name]
    return step


def lookup(path: str, context: dict) -> str:
    value: object = context
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return "" if value is None else str(value)


def substitute(text: str, context: dict) -> str:
    def one(match: re.Match) -> str:
        expr = match.group(1)
        assert re.fullmatch(r"[\w.-]+", expr), f"the test runner only resolves context values, not {expr!r}"
        return lookup(expr, context)

    return EXPRESSION.sub(one, text)


def condition(text: str | None, context: dict, failed: bool) -> bool:
    if not text:
        return not failed
    always, ok = False, True
    for term in (t.strip() for t in str(text).split("&&")):
        match = TERM.match(term)
        assert match, f"the test runner cannot evaluate {term!r} in if: {text!r}"
        if term == "always()":
            always = True
            continue
        value = lookup(match.group(1), context)
        ok = ok and ((value == match.group(3)) if match.group(2) == "==" else (value != match.group(3)))
    return ok and (always or not failed)


def read_outputs(path: Path) -> dict[str, str]:
    """GITHUB_OUTPUT as the runner reads it: ``name=value`` lines and ``name<<DELIMITER`` blocks."""
    outputs: dict[str, str] = {}
    lines = iter(path.read_text(encoding="utf-8").splitlines())
    for line in lines:
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delimiter = line.split("<<", 1)
            block = []
            for item in lines:
                if item == delimiter:
                    break
                block.append(item)
            outputs[name] = "\n".join(block)
        elif "=" in line:
            name, value = line.split("=", 1)
            outputs[name] = value
    return outputs


@dataclass
class Job:
    code: int = 0  # the job's result: the exit code of the step that failed it
    failed_step: str | None = None
    ran: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    uses: dict[str, dict] = field(
        default_factory=dict
    )  # name -> resolved with:, for the uses: steps that would run
    logs: dict[str, subprocess.CompletedProcess] = field(default_factory=dict)
    context: dict = field(default_factory=dict)
    summary: str = ""

    def output(self, name: str) -> str:
        value = ACTION["outputs"][name]["value"]
        return substitute(value, self.context)


def tool_dir(folder: Path, recording: Path | None = None) -> Path:
    """Commands the action calls, for this checkout: ``scanner`` (``python -m scanner`` from here) and
    ``python``; with ``recording``, a ``python`` that writes ``-m pip`` calls there instead of running pip."""
    folder.mkdir(parents=True, exist_ok=True)
    scanner = folder / "scanner"
    scanner.write_text(f'#!/bin/sh\nPYTHONPATH="{REPO}" exec "{sys.executable}" -m scanner "$@"\n')
    python = folder / "python"
    if recording is None:
        python.write_text(f'#!/bin/sh\nexec "{sys.executable}" "$@"\n')
    else:
        python.write_text(
            "#!/bin/sh\n"
            f'if [ "$1" = "-m" ] && [ "$2" = "pip" ]; then printf "%s\\n" "$@" > "{recording}"; exit 0; fi\n'
            f'exec "{sys.executable}" "$@"\n'
        )
    for tool in (scanner, python):
        tool.chmod(0o755)
    return folder


def run_action(
    tmp: Path,
    inputs: dict[str, str],
    *,
    github: dict | None = None,
    only: tuple[str, ...] | None = None,
    steps: dict | None = None,
    recording: Path | None = None,
) -> Job:
    """Run the composite's steps (or the steps named in ``only``) in ``tmp/workspace``."""
    workspace = tmp / "workspace"
    workspace.mkdir(parents=True, exist_ok=True)
    runner = tmp / "runner"
    runner.mkdir(exist_ok=True)
    declared = ACTION["inputs"]
    unknown = set(inputs) - set(declared)
    assert not unknown, f"not inputs of the action: {unknown}"
    missing = [name for name, spec in declared.items() if spec.get("required") and name not in inputs]
    assert not missing, f"required inputs not given: {missing}"
    values = {name: str(spec.get("default", "")) for name, spec in declared.items()} | inputs
    context = {
        "inputs": values,
        "github": {"action_path": str(REPO), "workspace": str(workspace), "event_name": "push"}
        | (github or {}),
        "runner": {"os": "Linux", "temp": str(runner)},
        "steps": dict(steps or {}),
    }
    summary = runner / "step-summary.md"
    summary.touch()
    tools = tool_dir(tmp / "tools", recording)
    base_env = dict(
        os.environ,
        PATH=f"{tools}{os.pathsep}{os.environ['PATH']}",
        CI="true",
        GITHUB_ACTIONS="true",
        GITHUB_WORKSPACE=str(workspace),
        GITHUB_ACTION_PATH=str(REPO),
        GITHUB_EVENT_NAME=context["github"]["event_name"],
        GITHUB_STEP_SUMMARY=str(summary),
        GITHUB_ENV=str(runner / "env"),
        GITHUB_PATH=str(runner / "path"),
        RUNNER_OS="Linux",
        RUNNER_TEMP=str(runner),
    )
    job = Job(context=context)
    for index, step in enumerate(STEPS):
        name = step.get("name", f"step {index}")
        if only is not None and name not in only:
            continue
        if not condition(step.get("if"), context, job.failed_step is not None):
            job.skipped.append(name)
            continue
        if "uses" in step:
            job.uses[name] = {k: substitute(str(v), context) for k, v in step.get("with", {}).items()}
            continue
        assert step.get("shell") == "bash", f"{name}: every run step of a composite names its shell"
        script = runner / f"step-{index}.sh"
        script.write_text(step["run"], encoding="utf-8")
        outputs = runner / f"output-{index}"
        outputs.write_text("")
        env = base_env | {k: substitute(str(v), context) for k, v in step.get("env", {}).items()}
        env["GITHUB_OUTPUT"] = str(outputs)
        # how the runner runs `shell: bash`
        proc = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
            cwd=workspace,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        job.ran.append(name)
        job.logs[name] = proc
        if "id" in step:
            context["steps"][step["id"]] = {"outputs": read_outputs(outputs)}
        if proc.returncode != 0 and job.failed_step is None:
            job.failed_step, job.code = name, proc.returncode
    job.summary = summary.read_text(encoding="utf-8")
    return job


# ---- the metadata ---------------------------------------------------------------------------------


def test_inputs_and_outputs():
    assert ACTION["runs"]["using"] == "composite"
    inputs = ACTION["inputs"]
    wanted = {"url", "vendors", "policy", "fail-on", "warn-on", "waivers", "baseline", "max-pages", "consent"}
    wanted |= {"out", "version", "upload-sarif", "sarif-category", "args", "install"}
    assert wanted <= set(inputs)
    assert [name for name, spec in inputs.items() if spec.get("required")] == ["url"]
    assert all(spec.get("description") for spec in inputs.values())
    assert inputs["out"]["default"] == "tracker-audit-report"
    assert inputs["upload-sarif"]["default"] == "true"
    assert inputs["sarif-category"]["default"] == "tracker-audit"  # not the URL: preview hosts change
    ids = {s["id"] for s in STEPS if "id" in s}
    for name, spec in ACTION["outputs"].items():
        (expr,) = EXPRESSION.findall(spec["value"])
        assert expr.split(".")[0] == "steps" and expr.split(".")[1] in ids, (name, expr)
    assert {"exit-code", "report-dir", "sarif-file", "junit-file", "summary-file"} <= set(ACTION["outputs"])


def test_every_input_used_is_declared_and_every_declared_input_is_used():
    text = (REPO / "action.yml").read_text(encoding="utf-8")
    used = set(re.findall(r"\binputs\.([\w-]+)", text))
    assert used <= set(ACTION["inputs"]), used - set(ACTION["inputs"])
    assert set(ACTION["inputs"]) <= used, set(ACTION["inputs"]) - used


def test_scripts_take_values_from_env_never_from_expressions():
    """An input (a URL, a branch name) spliced into a script by ``${{ }}`` would run as shell code: every
    value reaches the scripts through env."""
    for step in STEPS:
        if "run" in step:
            assert "${{" not in step["run"], step["name"]


def test_actions_used_and_the_installed_scanner():
    used = {s["uses"].split("@")[0]: s["uses"].split("@")[1] for s in STEPS if "uses" in s}
    assert set(used) == {
        "actions/setup-python",
        "actions/cache",
        "actions/upload-artifact",
        "github/codeql-action/upload-sarif",
    }
    assert all(re.fullmatch(r"v\d+", ref) for ref in used.values()), used
    caches = [s["with"]["path"] for s in STEPS if s.get("uses", "").startswith("actions/cache@")]
    assert sorted(caches) == ["~/.cache/ms-playwright", "~/.cache/pip"]
    scripts = "\n".join(s.get("run", "") for s in STEPS)
    assert not re.search(r"pip install[^\n]*\s\.(\s|$)", scripts)  # never the user's repository
    upload = step_named("Findings to code scanning")
    assert set(upload["with"]) >= {"sarif_file", "category", "ref", "sha"}


@pytest.mark.parametrize(
    ("version", "spec"),
    [
        ("", str(REPO)),
        ("1.2.0", "tracker-audit==1.2.0"),
        (
            "tracker-audit @ git+https://github.com/OWNER/REPO@v1",
            "tracker-audit @ git+https://github.com/OWNER/REPO@v1",
        ),
    ],
)
def test_install_takes_the_scanner_from_the_action(tmp_path, version, spec):
    """The install steps as they run on a runner, with pip replaced by a recorder: the scanner comes from
    the action's own checkout (github.action_path), never from ``.`` (the user's repository)."""
    recording = tmp_path / "pip-args"
    only = ("Choose the scanner to install", "Install the scanner")
    job = run_action(
        tmp_path, {"url": "https://www.example.com/", "version": version}, only=only, recording=recording
    )
    assert job.failed_step is None, {k: v.stderr for k, v in job.logs.items()}
    assert job.ran == list(only)
    assert recording.read_text(encoding="utf-8").splitlines() == [
        "-m",
        "pip",
        "install",
        "--disable-pip-version-check",
        spec,
    ]
    prepared = job.context["steps"]["prepare"]["outputs"]
    assert prepared["pip-key"].startswith("tracker-audit-pip-Linux-")
    assert re.fullmatch(r"\d+\.\d+\S*", job.context["steps"]["install"]["outputs"]["playwright"])


# ---- the steps, run ------------------------------------------------------------------------------


def demo_inputs(demo_net, **more: str) -> dict[str, str]:
    args = [
        "--ignore-https-errors",
        *(f"--browser-arg={a}" for a in demo_net.chromium_args()),
        "--settle=0.3",
        "--timeout=10",
        "--no-screenshots",
        "--quiet",
    ]
    return {
        "url": demo_net.url("www.example.com", "/"),
        "consent": "off",
        "max-pages": "8",
        "args": "\n".join(args) + "\n",
        "out": "audit",
        "install": "false",
    } | more


@pytest.fixture(scope="module")
def failing(demo_net, tmp_path_factory):
    """The demo shop embeds undeclared Hotjar: with the default fail-on (undeclared) the scan exits 1. The
    workspace has the repository's vendors.csv at its top, which the action uses without being told."""
    tmp = tmp_path_factory.mktemp("action")
    (tmp / "workspace").mkdir()
    shutil.copy(REPO / "vendors.csv", tmp / "workspace" / "vendors.csv")
    (tmp / "workspace" / "waivers.toml").write_text(
        '[[waiver]]\nvendor = "pixelmetrics-demo.io"\nstatus = "undeclared"\n'
        'reason = "being removed, ticket 7"\nowner = "privacy@example.com"\nexpires = 2999-01-01\n',
        encoding="utf-8",
    )
    more = {"sarif-category": "shop", "artifact-name": "shop-report", "warn-on": "mismatch"}
    job = run_action(tmp, demo_inputs(demo_net, waivers="waivers.toml", **more))
    return job, tmp / "workspace"


def test_a_failing_scan_fails_the_job_after_the_reports_are_kept(failing):
    job, workspace = failing
    scan = job.logs["Scan"]
    assert "Traceback" not in scan.stderr, scan.stderr
    assert job.failed_step == "Exit with the scan's code" and job.code == 1, (job.failed_step, scan.stderr)
    assert job.ran == [
        "Scan",
        "Verdict in the job summary",
        "Prepare the SARIF upload",
        "Exit with the scan's code",
    ]
    # install: false skips setting up Python, the caches and the installs
    assert job.skipped[:6] == [s["name"] for s in STEPS[:6]]
    assert job.output("exit-code") == "1"
    report = workspace / job.output("report-dir")
    assert {p.name for p in report.iterdir()} >= REPORTS
    assert job.output("junit-file") == "audit/junit.xml" and job.output("sarif-file") == "audit/results.sarif"
    scan_json = json.loads((report / "scan.json").read_text(encoding="utf-8"))
    assert Path(scan_json["meta"]["declared_source"]).name == "vendors.csv"  # found without the input
    assert {f["vendor"]: f["status"] for f in scan_json["findings"]}["Hotjar"] == "undeclared"


def test_the_step_summary_is_the_markdown_verdict(failing):
    job, workspace = failing
    summary_md = (workspace / "audit" / "summary.md").read_text(encoding="utf-8")
    assert job.summary == summary_md
    assert "Fail" in summary_md and "Hotjar" in summary_md
    # warn-on and waivers reach the scan: Facebook's mismatch warns, the unknown pixel is waived
    rows = {
        line.split(" | ")[0].lstrip("| "): line for line in summary_md.splitlines() if line.startswith("| ")
    }
    assert rows["Facebook"].endswith("| warns |"), rows["Facebook"]
    assert rows[r"pixelmetrics-demo\.io *(unknown)*"].endswith("| waived |"), summary_md


def test_the_report_and_sarif_uploads_get_what_the_scan_wrote(failing):
    job, workspace = failing
    assert job.uses["Keep the report"] == {
        "name": "shop-report",
        "path": "audit",
        "if-no-files-found": "warn",
    }
    upload = job.uses["Findings to code scanning"]
    assert upload == {"sarif_file": "audit/results.sarif", "category": "shop", "ref": "", "sha": ""}
    sarif = json.loads((workspace / upload["sarif_file"]).read_text(encoding="utf-8"))
    # upload-sarif keeps an automationDetails.id that is in the file: the chosen category is written there
    assert [run["automationDetails"]["id"] for run in sarif["runs"]] == ["shop/"]
    codequality = json.loads((workspace / "audit" / "codequality.json").read_text(encoding="utf-8"))
    assert any(
        i["check_name"] == "tracker-audit/undeclared" and "Hotjar" in i["description"] for i in codequality
    )
    assert {i["location"]["path"] for i in codequality} == {"vendors.csv"}


def test_the_scanner_writes_one_category_whatever_the_url(failing):
    """The category is the id up to its last "/": naming the start URL there gave every preview host its
    own category, whose alerts never closed."""
    _, workspace = failing
    result = ScanResult.from_dict(json.loads((workspace / "audit" / "scan.json").read_text(encoding="utf-8")))
    preview = replace(result, meta=replace(result.meta, start_urls=("https://pr-42.preview.example.net/",)))
    ids = {run["automationDetails"]["id"] for r in (result, preview) for run in build_sarif(r)["runs"]}
    assert ids == {"tracker-audit/"}


def test_upload_sarif_false_skips_the_upload(tmp_path):
    job = run_action(
        tmp_path,
        {"url": "https://www.example.com/", "upload-sarif": "false"},
        only=("Findings to code scanning",),
        steps={"sarif": {"outputs": {"file": "audit/results.sarif"}}},
    )
    assert job.skipped == ["Findings to code scanning"] and not job.uses


@pytest.mark.parametrize(
    ("ref", "expected"),
    [
        ("feature/login", "refs/heads/feature/login"),
        ("refs/tags/v1.2.0", "refs/tags/v1.2.0"),
        ("0123456789abcdef0123456789abcdef01234567", None),  # a commit: no branch to upload to
    ],
)
def test_a_deployment_event_uploads_to_the_deployed_ref_and_commit(failing, tmp_path, ref, expected):
    _, workspace = failing
    shutil.copytree(workspace / "audit", tmp_path / "workspace" / "audit")
    sha = "fedcba9876543210fedcba9876543210fedcba98"
    github = {"event_name": "deployment_status", "event": {"deployment": {"ref": ref, "sha": sha}}}
    job = run_action(
        tmp_path,
        {"url": "https://preview-42.example.com/"},
        github=github,
        only=("Prepare the SARIF upload", "Findings to code scanning"),
        steps={"scan": {"outputs": {"exit-code": "0", "report-dir": "audit"}}},
    )
    assert job.failed_step is None, job.logs["Prepare the SARIF upload"].stderr
    if expected is None:
        assert not job.uses
        assert "::warning" in job.logs["Prepare the SARIF upload"].stdout
    else:
        upload = job.uses["Findings to code scanning"]
        assert (upload["ref"], upload["sha"], upload["category"]) == (expected, sha, "tracker-audit")


def test_bad_input_exits_2_with_a_summary_that_says_so(demo_net, tmp_path):
    job = run_action(tmp_path, demo_inputs(demo_net, url="ftp://www.example.com/"))
    assert job.output("exit-code") == "2"
    assert job.failed_step == "Exit with the scan's code" and job.code == 2
    assert "scanner: error:" in job.logs["Scan"].stderr and "Traceback" not in job.logs["Scan"].stderr
    assert "wrote no summary (exit code 2)" in job.summary
    assert "Findings to code scanning" in job.skipped  # no SARIF


# ---- the README's recipes -------------------------------------------------------------------------


def readme_yaml(first_line: str) -> dict:
    """The README's YAML block that starts with ``first_line``."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    match = re.search(r"```yaml\n(" + re.escape(first_line) + r"\n.*?)```", text, re.S)
    assert match, f"README has no YAML block starting {first_line!r}"
    return yaml.safe_load(match.group(1))


def test_the_readme_workflow_uses_the_action_with_its_inputs():
    workflow = readme_yaml("# .github/workflows/tracker-audit.yml")
    assert "deployment_status" in workflow[True]  # YAML 1.1 reads the key `on` as true
    assert workflow["permissions"]["security-events"] == "write"
    steps = [s for job in workflow["jobs"].values() for s in job["steps"]]
    (audit,) = [s for s in steps if s.get("uses", "").startswith("OWNER/REPO@")]
    assert set(audit["with"]) <= set(ACTION["inputs"]) and "url" in audit["with"]
    assert not any("pip install" in s.get("run", "") for s in steps)  # the action installs the scanner


def test_the_readme_gitlab_recipe_installs_the_tool_and_reports_to_the_merge_request():
    job = readme_yaml("# .gitlab-ci.yml (excerpt)")["tracker-audit"]
    script = "\n".join(job["script"])
    assert re.search(r"pip install \"tracker-audit @ git\+https://github\.com/OWNER/REPO@v1\"", script)
    assert not re.search(r"pip install \.(\s|$)", script)
    assert {".cache/pip", ".cache/ms-playwright"} <= set(job["cache"]["paths"])
    assert job["variables"]["PLAYWRIGHT_BROWSERS_PATH"].endswith("/.cache/ms-playwright")
    scan = shlex.split(next(line for line in job["script"] if line.lstrip().startswith("scanner scan")))
    out = scan[scan.index("--out") + 1]
    written = {name for f in parse_formats([scan[scan.index("--format") + 1]]) for name in FILES[f]}
    reports = job["artifacts"]["reports"]
    assert {reports["codequality"], reports["junit"]} <= {f"{out}/{name}" for name in written}
    assert job["artifacts"]["when"] == "always"
