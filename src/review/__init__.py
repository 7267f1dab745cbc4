"""review: systematic reviews from PubMed search to evidence synthesis, and a questionnaire drafted from it."""

__version__ = "0.1.0"
