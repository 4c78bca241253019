"""Build data/councils.csv (the SPEC seeds format) from the reference list of Local Offers.

Run: python data/build_registry.py [path/to/local_offers.csv]
The reference file's "scope hint" notes become explicit ``scope`` prefixes here, because
its Local Offer URL for those councils is a deep page whose folder is narrower than the
Local Offer (see data/README.md). Councils with no known Local Offer keep an empty URL.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_SOURCE = HERE.parent.parent / "shared" / "reference" / "local_offers.csv"

SCOPE_FROM_HINTS = {
    "E06000009": "https://www.blackpool.gov.uk/Residents/Education-and-schools/Local-offer/",
    "E06000049": "https://www.cheshireeast.gov.uk/livewell/local-offer-for-children-with-sen-and-disabilities/",
    "E08000016": "https://barnsley.cloud.servelec-synergy.com/Synergy/Local_Offer/",
    "E08000017": "https://www.doncaster.gov.uk/services/schools/local-offer-",
    "E09000008": "https://croydon.cloud.servelec-synergy.com/Synergy/Croydon_SEND_Local_Offer/",
    "E09000018": "https://beta.hounslow.gov.uk/send-local-offer",
}
COLUMNS = ["code", "name", "local_offer_url", "council_url", "region", "la_type", "scope", "platform",
           "evidence_url", "notes"]


def build(source: Path, target: Path) -> int:
    with open(source, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    with open(target, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        for row in rows:
            out = {c: row.get(c, "") for c in COLUMNS}
            out["scope"] = SCOPE_FROM_HINTS.get(row["code"], "")
            writer.writerow(out)
    return len(rows)


if __name__ == "__main__":
    source = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_SOURCE
    print(f"{build(source, HERE / 'councils.csv')} councils written to data/councils.csv")
