"""review: systematic reviews from PubMed search to a validated questionnaire."""

__version__ = "0.1.0"
