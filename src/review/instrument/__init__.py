"""The instrument: item bank, scoring, exports and client profiles built from the synthesis."""
