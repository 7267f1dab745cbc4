"""Whether the study files and the studies included at full text agree: a study file names its paper by ``doi`` or
``pmid`` (the form's ``[study]`` fields, both optional), the records of the workspace carry them as imported, and a
study is included when one of its reports was judged eligible (``prisma.fulltext``).

Pure: the caller reads the files, the records' identifiers (normalised alike) and where each record stands. A study
file that names neither identifier, or an included study none of whose reports has one, cannot be matched: it is
said as such, not guessed from a citation.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class StudyFileIds:
    """A study file's name (``studies/a.toml``) and the identifiers its ``[study]`` table gives, normalised."""

    name: str
    doi: str = ""
    pmid: str = ""


@dataclass(frozen=True, slots=True)
class NotIncluded:
    """A study file whose paper is a record of the workspace that no included study holds."""

    name: str
    record_id: int
    standing: str  # where that record stands ("excluded at full text: Wrong outcome", ...)


@dataclass(slots=True)
class IncludedCheck:
    """The study files against the included studies (each study by the record standing for it)."""

    n_included: int
    n_files: int  # the study files checked (the programme's own data, with no paper, left out)
    missing: list[int] = field(default_factory=list)  # included studies no study file names
    #: Per study of ``missing`` the identifiers a study file may name to match it (``doi 10.1/x``, ``pmid 123``): its
    #: records' and their duplicates', the record standing for it first (its kept copy may have none of its own).
    identifiers_of: dict[int, list[str]] = field(default_factory=dict)
    #: Included studies none of whose reports has a doi or pmid: no study file can be matched to them.
    unidentified_studies: list[int] = field(default_factory=list)
    not_included: list[NotIncluded] = field(default_factory=list)
    no_record: list[str] = field(default_factory=list)  # files whose doi or pmid no record of the workspace has
    unidentified_files: list[str] = field(default_factory=list)  # files naming neither doi nor pmid
    unreadable: list[str] = field(default_factory=list)  # files that are no TOML (validate names the fault)

    @property
    def agrees(self) -> bool:
        return not (self.missing or self.unidentified_studies or self.not_included or self.no_record
                    or self.unidentified_files or self.unreadable)


def check_included(files: Iterable[StudyFileIds], identifiers: Iterable[tuple[int, str, str]],
                   included: Collection[int], study_of: Callable[[int], int],
                   standing: Callable[[int], str]) -> IncludedCheck:
    """``identifiers``: (record id, doi, pmid) per record, normalised as the files' are; ``included``: the included
    studies; ``study_of``: the study a record belongs to (itself when it is no report of one; a duplicate set aside
    goes to its canonical record's); ``standing``: in words, where a record stands that belongs to no included
    study."""
    by_doi: dict[str, list[int]] = {}
    by_pmid: dict[str, list[int]] = {}
    named: dict[int, list[tuple[int, str]]] = {}  # per study, (record, "doi …"/"pmid …") of each identifier
    for record_id, doi, pmid in identifiers:
        if doi:
            by_doi.setdefault(doi, []).append(record_id)
        if pmid:
            by_pmid.setdefault(pmid, []).append(record_id)
        if doi or pmid:
            study = study_of(record_id)
            named.setdefault(study, []).extend((record_id, f"{kind} {value}")
                                               for kind, value in (("doi", doi), ("pmid", pmid)) if value)
    files = list(files)
    check = IncludedCheck(len(included), len(files))
    covered: set[int] = set()
    for file in files:
        if not (file.doi or file.pmid):
            check.unidentified_files.append(file.name)
            continue
        records = sorted({*by_doi.get(file.doi, ()), *by_pmid.get(file.pmid, ())})
        if not records:
            check.no_record.append(file.name)
            continue
        studies = {study_of(r) for r in records}
        if studies & set(included):
            covered |= studies & set(included)
        else:
            first = records[0]
            check.not_included.append(NotIncluded(file.name, study_of(first), standing(study_of(first))))
    for study in sorted(set(included) - covered):
        if study in named:
            check.missing.append(study)
            ordered = sorted(named[study], key=lambda found: (found[0] != study, found[0]))  # (stable: doi first)
            check.identifiers_of[study] = list(dict.fromkeys(said for _, said in ordered))
        else:
            check.unidentified_studies.append(study)
    return check
