//! The triage scheme of S2 Annexe 2: from a moderated message to a suggested route with its reasons.
