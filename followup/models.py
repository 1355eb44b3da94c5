"""Follow-up models: filled in by the progress-report and indicator work (issue 13)."""
