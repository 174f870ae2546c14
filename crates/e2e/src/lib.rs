//! Balise's end-to-end tests live in `tests/browser`: they drive the real application in a
//! headless Chromium through ChromeDriver (journeys, axe-core accessibility checks, the XSS
//! corpus, screenshots). This library is empty; the crate exists for its tests.
