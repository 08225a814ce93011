"""The evaluation report: `report.md` with its tables (`report`, `markdown`, `summary`), the plots
(`plots`) and the misses worth reading (`misses`)."""
