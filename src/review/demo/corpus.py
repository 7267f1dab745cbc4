"""Generate the demo corpus: publications on and around the programme's topic, seen by three
databases with the small differences real exports have (so dedup has real work to do).

Everything is synthetic and seeded: the same seed gives byte-identical files.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field, replace

from . import vocabulary as V

SOURCES = ("PubMed", "Embase", "PsycINFO")


@dataclass(slots=True)
class Publication:
    """One real-world publication (the ground truth a duplicate cluster should recover)."""

    pub_id: str
    kind: str  # relevant | near_miss | background | conference_twin
    title: str
    sections: list[tuple[str, str]]  # structured abstract: (label, text)
    authors: list[tuple[str, str]]  # (last name, fore name)
    year: int
    journal: tuple[str, str]  # (full name, abbreviation)
    volume: str
    issue: str
    first_page: int
    last_page: int
    doi: str
    pmid: str
    mesh: list[str]
    keywords: list[str]
    publication_type: str = "Journal Article"
    twin_of: str = ""

    @property
    def relevant(self) -> bool:
        return self.kind == "relevant"


@dataclass(slots=True)
class SourceCopy:
    """A publication as one database exports it."""

    source: str
    pub: Publication
    title: str
    authors: list[tuple[str, str]]
    truncated_authors: bool
    doi: str
    pages: str
    journal_name: str
    year: int


@dataclass(slots=True)
class DemoCorpus:
    seed: int
    publications: list[Publication]
    copies: dict[str, list[SourceCopy]] = field(default_factory=dict)
    #: Planted pairs for the dedup review: (pub_id, pub_id), equal when both copies are one publication.
    borderline: list[tuple[str, str]] = field(default_factory=list)

    def truth_rows(self) -> list[dict[str, str]]:
        rows = []
        for source in SOURCES:
            for copy in self.copies.get(source, []):
                rows.append({
                    "source": source, "pub_id": copy.pub.pub_id, "pmid": copy.pub.pmid,
                    "title": copy.title, "kind": copy.pub.kind,
                    "label_included": "1" if copy.pub.relevant else "0",
                })
        return rows


def generate(seed: int = 20261125, *, n_publications: int = 1750, n_relevant: int = 22) -> DemoCorpus:
    """Publications and their per-database copies (about 2,300 records for the defaults)."""
    rng = random.Random(seed)
    pubs: list[Publication] = []
    n_near = max(1, n_publications // 12)
    n_twins = max(1, n_relevant // 2 + 6)
    n_background = n_publications - n_relevant - n_near - n_twins
    for _ in range(n_relevant):
        pubs.append(_publication(rng, len(pubs), "relevant"))
    for _ in range(n_near):
        pubs.append(_publication(rng, len(pubs), "near_miss"))
    for _ in range(n_background):
        pubs.append(_publication(rng, len(pubs), "background"))
    # Conference-abstract twins: same authors and topic, a different publication.
    for original in rng.sample(pubs[: n_relevant + n_near + 40], n_twins):
        pubs.append(_conference_twin(rng, len(pubs), original))
    rng.shuffle(pubs)
    corpus = DemoCorpus(seed=seed, publications=pubs)
    corpus.copies = _distribute(rng, pubs)
    corpus.borderline = _plant_borderline(seed, pubs, corpus.copies)
    return corpus


def _publication(rng: random.Random, index: int, kind: str) -> Publication:
    year = rng.randint(1998, 2025)
    journal = rng.choice(V.JOURNALS)
    title, sections, mesh, keywords = _content(rng, kind)
    first = rng.randint(1, 1900)
    n_authors = rng.choice((1, 2, 3, 4, 5, 6, 7, 8, 9, 12))
    authors = [(rng.choice(V.SURNAMES), rng.choice(V.FORENAMES)) for _ in range(n_authors)]
    has_doi = year >= 2003 or rng.random() < 0.3
    return Publication(
        pub_id=f"P{index:05d}", kind=kind, title=title, sections=sections, authors=authors,
        year=year, journal=journal, volume=str(rng.randint(1, 80)), issue=str(rng.randint(1, 12)),
        first_page=first, last_page=first + rng.randint(3, 14),
        # 10.5555 is Crossref's test prefix: these DOIs never resolve to a real article.
        doi=f"10.5555/demo.{year}.{index:05d}" if has_doi else "",
        pmid=str(31000000 + index * 7 + rng.randint(0, 6)), mesh=mesh, keywords=keywords,
        publication_type="Review" if rng.random() < 0.08 else "Journal Article",
    )


def _conference_twin(rng: random.Random, index: int, original: Publication) -> Publication:
    twin = replace(
        original, pub_id=f"P{index:05d}", kind="conference_twin", twin_of=original.pub_id,
        title=original.title.rstrip(".") + ": preliminary results",
        sections=[("", original.sections[-1][1] + " Preliminary findings presented at the annual congress.")],
        year=max(1998, original.year - 1), volume=str(rng.randint(60, 80)), issue="Suppl 1",
        first_page=rng.randint(1, 400), doi="", pmid="", publication_type="Congress",
        journal=("Occupational and Environmental Medicine", "Occup Environ Med"),
    )
    twin.last_page = twin.first_page
    return twin


def _content(rng: random.Random, kind: str) -> tuple[str, list[tuple[str, str]], list[str], list[str]]:
    pop = rng.choice(V.POPULATIONS)
    cmd = rng.choice(V.CMD_TERMS)
    country = rng.choice(V.COUNTRIES)
    n = rng.randint(150, 140000)
    months = rng.randint(12, 120)
    filler = _filler(rng)
    if kind == "relevant":
        factor, factor2 = rng.sample(V.FACTORS, 2)
        recurrence = rng.choice(V.RECURRENCE_TERMS)
        design = rng.choice(V.DESIGNS)
        title = rng.choice((
            f"Predictors of {recurrence} among {pop} with {cmd}: a {design}",
            f"{factor.capitalize()} and {recurrence} due to {cmd}",
            f"Risk factors for {recurrence} after return to work in {pop} with {cmd}",
        ))
        sections = [
            ("OBJECTIVES", f"To examine whether {factor} and {factor2} predict {recurrence} among {pop} "
                           f"who returned to work after sickness absence due to {cmd}."),
            ("METHODS", f"In a {design} in {country}, {n} {pop} were followed for {months} months after "
                        f"full return to work. Recurrence was defined as a new episode of sickness absence "
                        f"due to {cmd}. {filler}"),
            ("RESULTS", f"{rng.randint(12, 37)}% of {pop} had {recurrence}, most within three years. "
                        f"{factor.capitalize()} was associated with a higher risk of recurrence, whereas "
                        f"the association with {factor2} was weaker."),
            ("CONCLUSIONS", f"{factor.capitalize()} should be addressed when guiding {pop} back to work "
                            f"to prevent {recurrence}."),
        ]
        mesh = rng.sample(V.MESH_TOPIC, 7)
        keywords = ["recurrence", "sickness absence", cmd, factor]
    elif kind == "near_miss":
        template, _ = rng.choice(V.NEAR_MISS)
        subject = template.format(cmd=cmd, pop=pop)
        title = f"{subject[0].upper()}{subject[1:]}"
        sections = [
            ("BACKGROUND", f"Little is known about {subject}."),
            ("METHODS", f"We conducted {rng.choice(V.SETTINGS)} in {country} including {n} participants. {filler}"),
            ("RESULTS", f"The {rng.choice(V.OUTCOME_WORDS)} of {rng.choice(V.FACTORS)} was modest."),
            ("CONCLUSION", "Further research on this topic is warranted."),
        ]
        mesh = rng.sample(V.MESH_TOPIC, 4) + rng.sample(V.MESH_BACKGROUND, 3)
        keywords = ["sickness absence", cmd]
    else:
        subject = rng.choice(V.BACKGROUND_SUBJECTS)
        word = rng.choice(V.OUTCOME_WORDS)
        title = rng.choice((
            f"The {word} of {subject} among {pop}: {rng.choice(V.SETTINGS)}",
            f"{subject.capitalize()} in {country}",
            f"{subject.capitalize()} and sickness absence among {pop}",
        ))
        sections = [
            ("", f"This study examined the {word} of {subject} among {pop} in {country}. "
                 f"{filler} We included {n} participants. "
                 f"The {word} was {rng.choice(('small', 'moderate', 'substantial', 'unclear'))}."),
        ]
        mesh = rng.sample(V.MESH_BACKGROUND, 5)
        keywords = [subject]
    return title, sections, mesh, keywords


def _filler(rng: random.Random) -> str:
    chosen = rng.sample(V.FILLER_SENTENCES, 2)
    return " ".join(s.format(n=rng.randint(6, 96), p=rng.randint(35, 92)) for s in chosen)


def _distribute(rng: random.Random, pubs: list[Publication]) -> dict[str, list[SourceCopy]]:
    copies: dict[str, list[SourceCopy]] = {source: [] for source in SOURCES}
    for pub in pubs:
        if pub.kind == "conference_twin":
            copies["Embase"].append(_copy(rng, "Embase", pub))
            continue
        in_pubmed = rng.random() < (0.95 if pub.relevant else 0.76)
        in_embase = rng.random() < (0.8 if pub.relevant else 0.27)
        in_psycinfo = rng.random() < (0.6 if pub.relevant else 0.12)
        if not (in_pubmed or in_embase or in_psycinfo):
            in_pubmed = True
        for source, present in (("PubMed", in_pubmed), ("Embase", in_embase), ("PsycINFO", in_psycinfo)):
            if present:
                copies[source].append(_copy(rng, source, pub))
    return copies


def _copy(rng: random.Random, source: str, pub: Publication) -> SourceCopy:
    """How ``source`` shows ``pub``: PubMed is the reference, the others drift as real exports do."""
    title, authors, truncated = pub.title, list(pub.authors), False
    doi = pub.doi
    pages = f"{pub.first_page}-{pub.last_page}"
    journal_name = pub.journal[1]
    year = pub.year
    if source != "PubMed":
        journal_name = pub.journal[0] if rng.random() < 0.7 else pub.journal[1].replace(" ", ". ") + "."
        if rng.random() < 0.3:
            doi = ""
        elif doi and rng.random() < 0.3:
            doi = f"https://doi.org/{doi.upper()}"
        if rng.random() < 0.2:
            title = title.upper() if source == "Embase" else title.lower().capitalize()
        if rng.random() < 0.4:
            title = title.rstrip(".") + "."
        if rng.random() < 0.15:
            title = title.replace(":", " -").replace(",", "")
        if len(authors) > 3 and rng.random() < 0.35:
            authors, truncated = authors[:3], True
        if pub.first_page < pub.last_page and rng.random() < 0.4:
            pages = f"{pub.first_page}-{_short_last_page(pub.first_page, pub.last_page)}"
        if rng.random() < 0.05:
            year = pub.year + 1  # e-publication vs issue year
    return SourceCopy(source=source, pub=pub, title=title, authors=authors, truncated_authors=truncated,
                      doi=doi, pages=pages, journal_name=journal_name, year=year)


def _short_last_page(first: int, last: int) -> str:
    """MEDLINE-style abbreviated page range: 1234-45 for 1234-1245."""
    first_s, last_s = str(first), str(last)
    if len(first_s) != len(last_s):
        return last_s
    i = 0
    while i < len(last_s) - 1 and first_s[i] == last_s[i]:
        i += 1
    return last_s[i:]


#: Planted pairs a human must judge (dedup review): copies of one publication that drift too far
#: to merge on their own, and congress abstracts that share their later article's title and abstract.
N_BORDERLINE_SAME = 3
N_BORDERLINE_ABSTRACT = 3


def _plant_borderline(seed: int, pubs: list[Publication],
                      copies: dict[str, list[SourceCopy]]) -> list[tuple[str, str]]:
    """Rewrite a few existing copies into borderline pairs; the record counts stay as they were.

    A separate random stream keeps every other publication and copy byte-identical.
    """
    rng = random.Random(f"{seed}:borderline")
    sources_of: dict[str, list[str]] = {}
    for source in SOURCES:
        for copy in copies[source]:
            sources_of.setdefault(copy.pub.pub_id, []).append(source)
    planted: list[tuple[str, str]] = []
    # One publication, two databases: the Embase record gives the pages of the online version
    # (1-N, clear of the print range), no DOI and the main title without its subtitle. (Every
    # third Embase record carries its PMID in a note, which would match outright: those are not
    # used.)
    embase = copies["Embase"]
    candidates = [n for n, copy in enumerate(embase)
                  if copy.pub.kind == "background" and sources_of[copy.pub.pub_id] == ["PubMed", "Embase"]
                  and ": " in copy.pub.title and len(copy.pub.authors) >= 2 and (n + 1) % 3
                  and copy.pub.first_page > copy.pub.last_page - copy.pub.first_page + 1]
    for n in sorted(rng.sample(candidates, min(N_BORDERLINE_SAME, len(candidates)))):
        pub = embase[n].pub
        online_pages = f"1-{pub.last_page - pub.first_page + 1}"
        embase[n] = replace(embase[n], title=pub.title.partition(": ")[0], authors=list(pub.authors),
                            truncated_authors=False, doi="", pages=online_pages, year=pub.year,
                            journal_name=pub.journal[0])
        planted.append((pub.pub_id, pub.pub_id))
    # A congress abstract printed in a supplement of the journal that later carries the full
    # article, in the same year, under the same title and abstract: two publications (ASySD and
    # the SRA count them so), which the score alone cannot tell apart.
    by_id = {pub.pub_id: pub for pub in pubs}
    twins = [n for n, copy in enumerate(embase)
             if copy.pub.kind == "conference_twin" and not by_id[copy.pub.twin_of].relevant
             and len(by_id[copy.pub.twin_of].authors) >= 2]
    for n in sorted(rng.sample(twins, min(N_BORDERLINE_ABSTRACT, len(twins)))):
        twin = embase[n].pub
        original = by_id[twin.twin_of]
        twin.title, twin.sections, twin.journal = original.title, list(original.sections), original.journal
        twin.year = original.year
        if twin.volume == original.volume:
            twin.volume = str(int(original.volume) + 1)
        embase[n] = replace(embase[n], title=twin.title, authors=list(twin.authors), truncated_authors=False,
                            year=twin.year, journal_name=twin.journal[0])
        planted.append((original.pub_id, twin.pub_id))
    return planted
