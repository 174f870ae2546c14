//! Personal information detectors: phones, e-mail addresses, NAS, RAMQ numbers, payment cards, postal codes, street addresses.
