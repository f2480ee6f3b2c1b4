"""Import a privacy or cookie policy (Markdown, HTML, text or URL) as declared vendors.

Tables are read first (most confident), then vendor lists, then sentences (low confidence)."""

from .csv_out import vendors_csv
from .importer import PolicyImport, import_policy, import_policy_text

__all__ = ["PolicyImport", "import_policy", "import_policy_text", "vendors_csv"]
