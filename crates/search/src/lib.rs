//! The knowledge base: an index of the organisation's web pages and FAQ, searched in French.
