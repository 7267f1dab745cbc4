"""``prisma.csv`` in the layout of the PRISMA2020 R package / Shiny app template.

One row per box: the key in ``data``, the count in ``n``; excluded reports as
``"Reason, n; Reason, n"``. Rows, columns, ``node``/``box``/``url`` values follow the
package's ``inst/extdata/PRISMA.csv`` so the file loads there unchanged; ``boxtext`` is
written in the chosen language so the app draws Dutch labels for ``--lang nl``.
"""

from __future__ import annotations

import io

from ..csvcells import NeutralisingDictWriter
from .counts import PrismaCounts
from .labels import labels

COLUMNS: tuple[str, ...] = ("data", "node", "box", "description", "boxtext", "tooltips", "url", "n")

# (data, node, box, description, label key for boxtext, tooltips, url)
_ROWS: tuple[tuple[str, str, str, str, str, str, str], ...] = (
    ("NA", "node4", "prevstud", "Grey title box; Previous studies", "prevstud",
     "Grey title box; Previous studies", "prevstud.html"),
    ("previous_studies", "node5", "box1", "Studies included in previous version of review",
     "previous_studies", "Studies included in previous version of review", "previous_studies.html"),
    ("previous_reports", "NA", "box1", "Reports of studies included in previous version of review",
     "previous_reports", "NA", "previous_reports.html"),
    ("NA", "node6", "newstud", "Yellow title box; Identification of new studies via databases and registers",
     "newstud", "Yellow title box; Identification of new studies via databases and registers", "newstud.html"),
    ("database_results", "node7", "box2", "Records identified from: Databases", "database_results",
     "Records identified from: Databases", "database_results.html"),
    ("register_results", "NA", "box2", "Records identified from: Registers", "register_results", "NA", "NA"),
    ("NA", "node16", "othstud", "Grey title box; Identification of new studies via other methods",
     "othstud", "Grey title box; Identification of new studies via other methods", "othstud.html"),
    ("website_results", "node17", "box11", "Records identified from: Websites", "website_results",
     "Records identified from: Websites", "website_results.html"),
    ("organisation_results", "", "box11", "Records identified from: Organisations", "organisation_results",
     "NA", "NA"),
    ("citations_results", "NA", "box11", "Records identified from: Citation searching", "citations_results",
     "NA", "NA"),
    ("duplicates", "node8", "box3", "Duplicate records", "duplicates_short", "Duplicate records", "duplicates.html"),
    ("excluded_automatic", "NA", "box3", "Records marked as ineligible by automation tools",
     "excluded_automatic", "NA", "NA"),
    ("excluded_other", "NA", "box3", "Records removed for other reasons", "excluded_other", "NA", "NA"),
    ("records_screened", "node9", "box4", "Records screened (databases and registers)", "records_screened",
     "Records screened (databases and registers)", "records_screened.html"),
    ("records_excluded", "node10", "box5", "Records excluded (databases and registers)", "records_excluded",
     "Records excluded (databases and registers)", "records_excluded.html"),
    ("dbr_sought_reports", "node11", "box6", "Reports sought for retrieval (databases and registers)",
     "sought_reports", "Reports sought for retrieval (databases and registers)", "dbr_sought_reports.html"),
    ("dbr_notretrieved_reports", "node12", "box7", "Reports not retrieved (databases and registers)",
     "notretrieved_reports", "Reports not retrieved (databases and registers)", "dbr_notretrieved_reports.html"),
    ("other_sought_reports", "node18", "box12", "Reports sought for retrieval (other)", "sought_reports",
     "Reports sought for retrieval (other)", "other_sought_reports.html"),
    ("other_notretrieved_reports", "node19", "box13", "Reports not retrieved (other)", "notretrieved_reports",
     "Reports not retrieved (other)", "other_notretrieved_reports.html"),
    ("dbr_assessed", "node13", "box8", "Reports assessed for eligibility (databases and registers)", "assessed",
     "Reports assessed for eligibility (databases and registers)", "dbr_assessed.html"),
    ("dbr_excluded", "node14", "box9",
     "Reports excluded (databases and registers): [separate reasons and numbers using ; e.g. "
     "Reason1, xxx; Reason2, xxx; Reason3, xxx]", "excluded_short",
     "Reports excluded (databases and registers): [separate reasons and numbers using ; e.g. "
     "Reason1, xxx; Reason2, xxx; Reason3, xxx", "dbrexcludedrecords.html"),
    ("other_assessed", "node20", "box14", "Reports assessed for eligibility (other)", "assessed",
     "Reports assessed for eligibility (other)", "other_assessed.html"),
    ("other_excluded", "node21", "box15",
     "Reports excluded (other): [separate reasons and numbers using ; e.g. Reason1, xxx; Reason2, xxx; "
     "Reason3, xxx]", "excluded_short",
     "Reports excluded (other): [separate reasons and numbers using ; e.g. Reason1, xxx; Reason2, xxx; "
     "Reason3, xxx", "other_excluded.html"),
    ("new_studies", "node15", "box10", "New studies included in review", "new_studies",
     "New studies included in review", "new_studies.html"),
    ("new_reports", "NA", "box10", "Reports of new included studies", "new_reports", "NA", "NA"),
    ("total_studies", "node22", "box16", "Total studies included in review", "total_studies",
     "Total studies included in review", "total_studies.html"),
    ("total_reports", "NA", "box16", "Reports of total included studies", "total_reports", "NA", "NA"),
    ("identification", "node1", "identification", "Blue identification box", "identification",
     "Blue identification box", "identification.html"),
    ("screening", "node2", "screening", "Blue screening box", "screening", "Blue screening box",
     "screening.html"),
    ("included", "node3", "included", "Blue included box", "included", "Blue included box", "included.html"),
)

#: The ``data`` names of the template, in its row order.
DATA_NAMES: tuple[str, ...] = tuple(row[0] for row in _ROWS)


def template_rows(counts: PrismaCounts, lang: str = "en") -> list[dict[str, str]]:
    """The template's rows with ``n`` filled from ``counts`` (title rows keep 0)."""
    text = labels(lang)
    values = counts.template_values()
    rows = []
    for data, node, box, description, label_key, tooltips, url in _ROWS:
        rows.append({
            "data": data, "node": node, "box": box, "description": description,
            "boxtext": text[label_key], "tooltips": tooltips, "url": url,
            "n": str(values.get(data, 0)),
        })
    return rows


def render_csv(counts: PrismaCounts, lang: str = "en") -> str:
    """The CSV text (comma-separated, quoted where needed, ``\\n`` line ends)."""
    buffer = io.StringIO()
    writer = NeutralisingDictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(template_rows(counts, lang))
    return buffer.getvalue()
