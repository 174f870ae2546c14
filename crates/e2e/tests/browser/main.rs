//! Balise in a real headless Chromium: every page checked with axe-core (WCAG 2.1 AA, the
//! level of Quebec's SGQRI 008), a corpus of XSS and injection payloads sent through the
//! intake and looked at in the pages, and screenshots of the main pages. One ChromeDriver
//! serves the whole binary; each test opens its own browser session (see `harness`).

#![allow(clippy::unwrap_used)]

mod accessibility;
mod editorial;
mod harness;
mod journeys;
mod people;
mod screenshots;
mod workplace;
mod xss;
