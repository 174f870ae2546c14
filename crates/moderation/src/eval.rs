//! Evaluation of the engine against labelled sets: precision, recall, F1 per category and the false-positive rate on acceptable comments.
