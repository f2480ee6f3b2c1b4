"""``scanner history export --parquet DIR``: the history as Parquet, for DuckDB, pandas, Spark.

One dataset per table (``DIR/<table>/``), hive-partitioned like OpenWPM's Parquet output:
``campaign=<name>/date=<YYYY-MM-DD>/`` from the scan each row belongs to (a scan without a campaign
goes to pyarrow's null partition, ``campaign=__HIVE_DEFAULT_PARTITION__``, which readers give back as
null). ``sites`` has no scan and is one file, ``sites/part-0.parquet``. Column types follow the schema
(``scanner.history.schema.COLUMNS``): integers int64, booleans bool, times and text strings. Exporting
again into the same folder replaces the partitions it writes.

pyarrow is the optional extra ``parquet`` (``pip install 'tracker-audit[parquet]'``); without it the command
says so and exits 2.
"""

from __future__ import annotations

from pathlib import Path

from scanner.errors import BadInput
from scanner.history import dialect, schema
from scanner.history.db import open_history

PARTITIONS = (("campaign", "text"), ("date", "text"))
ARROW_TYPES = {"id": "int64", "int": "int64", "real": "float64", "text": "string", "bool": "bool_"}


def _pyarrow():
    try:
        import pyarrow
        import pyarrow.dataset
        import pyarrow.parquet  # noqa: F401
    except ImportError:
        raise BadInput(
            "the Parquet export needs pyarrow: pip install 'tracker-audit[parquet]' (or pip install pyarrow)"
        ) from None
    return pyarrow


def _schema(pa, columns):
    return pa.schema([pa.field(name, getattr(pa, ARROW_TYPES[kind])()) for name, kind in columns])


def export_parquet(db: str | Path, out_dir: str | Path) -> dict[str, int]:
    """Write every table of the history ``db`` under ``out_dir``; returns the rows written per table."""
    pa = _pyarrow()
    import pyarrow.dataset as ds
    import pyarrow.parquet as pq

    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise BadInput(f"{out}: not a folder")
    written: dict[str, int] = {}
    with open_history(db, create=False) as conn:
        out.mkdir(parents=True, exist_ok=True)
        for table, columns in schema.COLUMNS.items():
            names = [n for n, _ in columns]
            if table == "sites":
                rows = conn.execute(
                    dialect.sql(f"SELECT {', '.join(names)} FROM sites ORDER BY id")
                ).fetchall()
                data = _table(pa, columns, rows)
                (out / table).mkdir(exist_ok=True)
                pq.write_table(data, out / table / "part-0.parquet")
                written[table] = data.num_rows
                continue
            scan_ref = "x.id" if table == "scans" else "x.scan_id"
            # scans.campaign is the partition itself: the reader gives it back from the folder name
            columns = tuple(c for c in columns if c[0] not in dict(PARTITIONS))
            names = [n for n, _ in columns]
            select = ", ".join(f"x.{n}" for n in names)
            rows = conn.execute(
                dialect.sql(
                    f"SELECT {select}, s.campaign, SUBSTR(s.started_at, 1, 10) FROM {table} x "
                    f"JOIN scans s ON s.id = {scan_ref} ORDER BY s.id"
                )
            ).fetchall()
            all_columns = (*columns, *PARTITIONS)
            data = _table(pa, all_columns, rows)
            ds.write_dataset(
                data,
                out / table,
                format="parquet",
                partitioning=ds.partitioning(_schema(pa, PARTITIONS), flavor="hive"),
                existing_data_behavior="delete_matching",
                basename_template="part-{i}.parquet",
            )
            written[table] = data.num_rows
    return written


def _table(pa, columns, rows):
    names = [n for n, _ in columns]
    arrays = []
    for i, (_, kind) in enumerate(columns):
        values = [row[i] for row in rows]
        if kind == "bool":
            values = [None if v is None else bool(v) for v in values]
        arrays.append(pa.array(values, type=getattr(pa, ARROW_TYPES[kind])()))
    return pa.Table.from_arrays(arrays, names=names)
