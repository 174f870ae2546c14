//! The browser harness: one ChromeDriver per test binary (started on a free port, stopped
//! when the binary exits), one headless Chromium session per test, a small W3C WebDriver
//! client over reqwest, axe-core injection, and screenshots.
//!
//! The WebDriver client is written here rather than taken from a crate: the Rust clients
//! (fantoccini, thirtyfour) pull a TLS stack with a second rustls crypto provider into the
//! workspace, and ChromeDriver on the loopback needs plain HTTP and a dozen commands.
//!
//! When Chromium or ChromeDriver is missing the tests print a notice and pass, unless
//! `BALISE_REQUIRE_BROWSER=1` (set by `scripts/test`), in which case they fail — the same rule
//! as the PostgreSQL half of the store's contract tests.

use serde_json::{Value, json};
use std::future::Future;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{LazyLock, OnceLock};
use std::time::Duration;

/// The WebDriver key under which an element reference travels.
const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";

/// The WCAG 2.1 A and AA rule sets (SGQRI 008 follows WCAG 2.1 AA).
pub const AXE_TAGS: [&str; 4] = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];

/// Tests share one runtime so that the application and the WebDriver connections they start
/// outlive any one test's thread.
static RUNTIME: LazyLock<tokio::runtime::Runtime> = LazyLock::new(|| {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a tokio runtime for the browser tests")
});

/// The repository's root (crates/e2e/../..).
pub fn repository_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().expect("repository root")
}

fn browser_required() -> bool {
    std::env::var("BALISE_REQUIRE_BROWSER").as_deref() == Ok("1")
}

/// The ChromeDriver process, behind a shell that kills it when our end of its stdin closes
/// (that is, when the test binary exits, however it exits).
pub struct Driver {
    pub url: String,
    _guard: Child,
}

static DRIVER: OnceLock<Result<Driver, String>> = OnceLock::new();

fn chromedriver_path() -> PathBuf {
    std::env::var_os("BALISE_CHROMEDRIVER").map(PathBuf::from).unwrap_or_else(|| "/usr/bin/chromedriver".into())
}

fn chromium_path() -> PathBuf {
    std::env::var_os("BALISE_CHROMIUM").map(PathBuf::from).unwrap_or_else(|| "/usr/bin/chromium".into())
}

fn start_driver() -> Result<Driver, String> {
    let chromedriver = chromedriver_path();
    let chromium = chromium_path();
    for (what, path) in [("ChromeDriver", &chromedriver), ("Chromium", &chromium)] {
        if !path.is_file() {
            return Err(format!(
                "{what} not found at {} (run scripts/install-deps, or set BALISE_CHROMEDRIVER / BALISE_CHROMIUM)",
                path.display()
            ));
        }
    }
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map_err(|error| format!("no free port for ChromeDriver: {error}"))?
        .port();
    let log = Path::new(env!("CARGO_TARGET_TMPDIR")).join("e2e-chromedriver.log");
    let guard = Command::new("sh")
        .arg("-c")
        .arg(r#""$0" --port="$1" --allowed-ips=127.0.0.1 --log-path="$2" >/dev/null 2>&1 & driver=$!; read -r _; kill "$driver""#)
        .arg(&chromedriver)
        .arg(port.to_string())
        .arg(&log)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|error| format!("could not start {}: {error}", chromedriver.display()))?;
    let url = format!("http://127.0.0.1:{port}");
    let client = http_client();
    for _ in 0..200 {
        if let Ok(response) = RUNTIME.block_on(client.get(format!("{url}/status")).send())
            && let Ok(status) = RUNTIME.block_on(response.json::<Value>())
            && status["value"]["ready"] == json!(true)
        {
            return Ok(Driver { url, _guard: guard });
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Err(format!("ChromeDriver did not become ready on {url}; see {}", log.display()))
}

/// An HTTP client for ChromeDriver on the loopback (never through a proxy).
fn http_client() -> reqwest::Client {
    reqwest::Client::builder().no_proxy().build().expect("an HTTP client for ChromeDriver")
}

/// The shared driver, or `None` (with a notice) when the browser is not installed and not
/// required.
fn driver() -> Option<&'static Driver> {
    match DRIVER.get_or_init(start_driver) {
        Ok(driver) => Some(driver),
        Err(reason) if browser_required() => panic!("BALISE_REQUIRE_BROWSER=1 but {reason}"),
        Err(reason) => {
            eprintln!("NOTICE: skipping this browser test: {reason}");
            None
        }
    }
}

/// Runs `body` with a fresh headless Chromium session, on the shared runtime, and closes the
/// session afterwards even when the body panics (then re-raises the panic).
pub fn browser_test<F, Fut>(body: F)
where
    F: FnOnce(Browser) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let Some(driver) = driver() else { return };
    RUNTIME.block_on(async {
        let browser = Browser::open(&driver.url).await;
        let outcome = tokio::spawn(body(browser.clone())).await;
        browser.close().await;
        if let Err(error) = outcome {
            match error.try_into_panic() {
                Ok(panic) => {
                    // The runtime's worker threads print into the output capture of the test
                    // that started them: say here, in this test's output, what failed.
                    let message = panic
                        .downcast_ref::<String>()
                        .map(String::as_str)
                        .or_else(|| panic.downcast_ref::<&str>().copied())
                        .unwrap_or("(no message)");
                    eprintln!("browser test failed: {message}");
                    std::panic::resume_unwind(panic)
                }
                Err(error) => panic!("browser test task failed: {error}"),
            }
        }
    });
}

/// An element found on the page.
#[derive(Clone, Debug)]
pub struct Element(String);

impl Element {
    pub fn as_json(&self) -> Value {
        json!({ ELEMENT_KEY: self.0 })
    }
}

/// One WebDriver session (one headless Chromium).
#[derive(Clone)]
pub struct Browser {
    http: reqwest::Client,
    session_url: String,
}

/// A WebDriver error: its code (`no such element`, `no such alert`, …) and message.
#[derive(Debug)]
pub struct WebDriverError {
    pub code: String,
    pub message: String,
}

impl Browser {
    async fn open(driver_url: &str) -> Browser {
        let http = http_client();
        let chromium = chromium_path();
        let capabilities = json!({
            "capabilities": { "alwaysMatch": {
                "browserName": "chrome",
                // Leave dialogs open so that a test can see an alert a payload opened.
                "unhandledPromptBehavior": "ignore",
                "goog:chromeOptions": {
                    "binary": chromium.to_string_lossy(),
                    "args": [
                        "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                        // The machine's network is closed: no background connections.
                        "--disable-background-networking", "--disable-component-update",
                        "--disable-sync", "--disable-quic", "--no-first-run",
                        "--window-size=1280,900", "--hide-scrollbars", "--lang=fr-CA", "--force-device-scale-factor=1",
                    ],
                },
            }}
        });
        let response: Value = http
            .post(format!("{driver_url}/session"))
            .json(&capabilities)
            .send()
            .await
            .expect("ChromeDriver answers")
            .json()
            .await
            .expect("ChromeDriver answers JSON");
        let session_id = response["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("ChromeDriver did not open a session: {response}"))
            .to_owned();
        let browser = Browser { http, session_url: format!("{driver_url}/session/{session_id}") };
        browser
            .command("POST", "/timeouts", Some(json!({ "script": 60_000, "pageLoad": 30_000, "implicit": 0 })))
            .await
            .expect("set the timeouts");
        browser
    }

    async fn close(&self) {
        let _ = self.http.delete(&self.session_url).send().await;
    }

    /// Sends one command and returns its `value`, or the WebDriver error.
    pub async fn command(&self, method: &str, path: &str, body: Option<Value>) -> Result<Value, WebDriverError> {
        let url = format!("{}{}", self.session_url, path);
        let request = match method {
            "GET" => self.http.get(url),
            "DELETE" => self.http.delete(url),
            _ => self.http.post(url).json(&body.unwrap_or_else(|| json!({}))),
        };
        let response = request.send().await.map_err(|error| WebDriverError {
            code: "transport".into(),
            message: error.to_string(),
        })?;
        let body: Value = response.json().await.map_err(|error| WebDriverError {
            code: "transport".into(),
            message: error.to_string(),
        })?;
        let value = body.get("value").cloned().unwrap_or(Value::Null);
        match value.get("error").and_then(Value::as_str) {
            Some(code) => Err(WebDriverError {
                code: code.to_owned(),
                message: value["message"].as_str().unwrap_or_default().to_owned(),
            }),
            None => Ok(value),
        }
    }

    async fn must(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let described = format!("{method} {path}");
        self.command(method, path, body)
            .await
            .unwrap_or_else(|error| panic!("WebDriver {described}: {}: {}", error.code, error.message))
    }

    /// Loads `url` and waits for the document to be loaded.
    /// A dialog opened during the load is left open for [`Browser::open_dialog`] to see.
    pub async fn goto(&self, url: &str) {
        match self.command("POST", "/url", Some(json!({ "url": url }))).await {
            Ok(_) => {}
            Err(error) if error.code == "unexpected alert open" => {}
            Err(error) => panic!("WebDriver: loading {url}: {}: {}", error.code, error.message),
        }
    }

    pub async fn current_url(&self) -> String {
        self.must("GET", "/url", None).await.as_str().unwrap_or_default().to_owned()
    }

    pub async fn title(&self) -> String {
        self.must("GET", "/title", None).await.as_str().unwrap_or_default().to_owned()
    }

    /// Runs `script` (a function body; `arguments` holds `args`) and returns its value.
    pub async fn execute(&self, script: &str, args: Vec<Value>) -> Value {
        self.must("POST", "/execute/sync", Some(json!({ "script": script, "args": args }))).await
    }

    /// Runs `script`, which calls its last argument with the result.
    pub async fn execute_async(&self, script: &str, args: Vec<Value>) -> Value {
        self.must("POST", "/execute/async", Some(json!({ "script": script, "args": args }))).await
    }

    /// The text of an open alert, confirm or prompt dialog, if one is open.
    pub async fn open_dialog(&self) -> Option<String> {
        match self.command("GET", "/alert/text", None).await {
            Ok(text) => Some(text.as_str().unwrap_or_default().to_owned()),
            Err(error) if error.code == "no such alert" => None,
            Err(error) => panic!("WebDriver GET /alert/text: {}: {}", error.code, error.message),
        }
    }

    /// Closes an open dialog (so that the session can go on after a failed check).
    pub async fn dismiss_dialog(&self) {
        let _ = self.command("POST", "/alert/dismiss", None).await;
    }

    fn element_from(value: &Value) -> Option<Element> {
        value.get(ELEMENT_KEY).and_then(Value::as_str).map(|id| Element(id.to_owned()))
    }

    /// Every element matching a CSS selector.
    pub async fn find_all(&self, css: &str) -> Vec<Element> {
        let found = self.must("POST", "/elements", Some(json!({ "using": "css selector", "value": css }))).await;
        found.as_array().map(|items| items.iter().filter_map(Self::element_from).collect()).unwrap_or_default()
    }

    /// The one element matching a CSS selector (panics, naming the selector, when absent).
    pub async fn find(&self, css: &str) -> Element {
        let found = self.must("POST", "/element", Some(json!({ "using": "css selector", "value": css }))).await;
        Self::element_from(&found).unwrap_or_else(|| panic!("no element {css}"))
    }

    /// The form control labelled `label` (its `<label>` text, trimmed, or `aria-label`).
    pub async fn field(&self, label: &str) -> Element {
        let found = self
            .execute(
                r#"const wanted = arguments[0].trim().toLowerCase();
                   const clean = s => (s || '').replace(/\s+/g, ' ').trim().toLowerCase();
                   for (const l of document.querySelectorAll('label')) {
                     if (clean(l.textContent) === wanted || clean(l.textContent).replace(/\s*\*$/, '') === wanted) {
                       return l.control || (l.htmlFor && document.getElementById(l.htmlFor));
                     }
                   }
                   return document.querySelector(`[aria-label="${CSS.escape(arguments[0])}"]`);"#,
                vec![json!(label)],
            )
            .await;
        match Self::element_from(&found) {
            Some(element) => element,
            None => {
                let labels = self.execute("return [...document.querySelectorAll('label')].map(l => l.textContent.trim());", vec![]).await;
                panic!("no form field labelled « {label} » at {}; labels: {labels}; script gave {found}", self.current_url().await)
            }
        }
    }

    /// The button (or submit input, or link styled as one) whose visible text is `text`.
    pub async fn button(&self, text: &str) -> Element {
        let found = self
            .execute(
                r#"const wanted = arguments[0].replace(/\s+/g, ' ').trim().toLowerCase();
                   const clean = s => (s || '').replace(/\s+/g, ' ').trim().toLowerCase();
                   const all = [...document.querySelectorAll('button, input[type=submit], [role=button], a')];
                   return all.find(e => clean(e.textContent || e.value) === wanted)
                       || all.find(e => clean(e.getAttribute('aria-label')) === wanted)
                       || null;"#,
                vec![json!(text)],
            )
            .await;
        match Self::element_from(&found) {
            Some(element) => element,
            None => {
                let buttons = self.execute("return [...document.querySelectorAll('button, input[type=submit]')].map(b => (b.textContent || b.value).trim());", vec![]).await;
                panic!("no button or link « {text} » at {}; buttons: {buttons}", self.current_url().await)
            }
        }
    }

    pub async fn click(&self, element: &Element) {
        self.must("POST", &format!("/element/{}/click", element.0), None).await;
    }

    /// Clicks something that loads a new page (a link, a form's button) and waits until the
    /// new page has loaded.
    pub async fn click_and_wait(&self, element: &Element) {
        self.execute("window.__balise_previous_page = true;", vec![]).await;
        self.click(element).await;
        for _ in 0..200 {
            match self
                .command("POST", "/execute/sync", Some(json!({
                    "script": "return !window.__balise_previous_page && document.readyState === 'complete';",
                    "args": [],
                })))
                .await
            {
                Ok(Value::Bool(true)) => return,
                Err(error) if error.code == "unexpected alert open" => return,
                _ => tokio::time::sleep(Duration::from_millis(50)).await,
            }
        }
        panic!("no new page loaded after the click (still at {})", self.current_url().await);
    }

    /// Clicks the button or link whose text is `text` and waits for the next page.
    pub async fn press(&self, text: &str) {
        let button = self.button(text).await;
        self.click_and_wait(&button).await;
    }

    /// The HTTP status of a GET of `url` from the page shown, with its cookies, redirections
    /// not followed (a redirection reads as its own 3xx status, not the page it leads to).
    pub async fn status_of(&self, url: &str) -> u16 {
        let status = self
            .execute_async(
                r#"const done = arguments[arguments.length - 1];
                   fetch(arguments[0], { redirect: 'manual', credentials: 'same-origin' })
                     .then(r => done(r.type === 'opaqueredirect' ? 302 : r.status)).catch(e => done(String(e)));"#,
                vec![json!(url)],
            )
            .await;
        status.as_u64().and_then(|status| u16::try_from(status).ok()).unwrap_or_else(|| panic!("GET {url}: {status}"))
    }

    /// Forgets the session (every cookie), as a sign-out would.
    pub async fn forget_cookies(&self) {
        self.must("DELETE", "/cookie", None).await;
    }

    /// Signs in through the sign-in page as the test user of `role` (created if needed),
    /// after forgetting any earlier session. Returns the user's display name.
    pub async fn sign_in(&self, app: &testkit::TestApp, role: domain::profile::Role) -> String {
        let login = crate::people::login_of(role);
        let user = crate::people::ensure_user(app, role, None).await;
        self.goto(&app.url("/connexion")).await;
        self.forget_cookies().await;
        self.goto(&app.url("/connexion")).await;
        let field = self.field("Identifiant").await;
        self.type_into(&field, &login).await;
        let field = self.field("Mot de passe").await;
        self.type_into(&field, crate::people::PASSWORD).await;
        self.press("Se connecter").await;
        let url = self.current_url().await;
        assert!(!url.contains("/connexion"), "the sign-in of {login} was refused: {}", self.visible_text().await);
        user.display_name
    }

    /// Clears a text field and types `text` into it.
    pub async fn type_into(&self, element: &Element, text: &str) {
        self.must("POST", &format!("/element/{}/clear", element.0), None).await;
        self.must("POST", &format!("/element/{}/value", element.0), Some(json!({ "text": text }))).await;
    }

    /// Sets a field's value directly (for texts WebDriver cannot type, such as control
    /// characters) and fires `input`.
    pub async fn set_value(&self, element: &Element, text: &str) {
        self.execute(
            "arguments[0].value = arguments[1]; arguments[0].dispatchEvent(new Event('input', {bubbles: true}));",
            vec![element.as_json(), json!(text)],
        )
        .await;
    }

    /// Chooses the option of a `<select>` whose visible text or value is `choice`.
    pub async fn select(&self, element: &Element, choice: &str) {
        let chosen = self
            .execute(
                r#"const s = arguments[0];
                   const o = [...s.options].find(o => o.value === arguments[1] || o.textContent.trim() === arguments[1]);
                   if (!o) return false;
                   s.value = o.value; s.dispatchEvent(new Event('change', {bubbles: true})); return true;"#,
                vec![element.as_json(), json!(choice)],
            )
            .await;
        assert_eq!(chosen, json!(true), "no option « {choice} » in the list");
    }

    /// The element's rendered text.
    pub async fn text_of(&self, element: &Element) -> String {
        self.must("GET", &format!("/element/{}/text", element.0), None).await.as_str().unwrap_or_default().to_owned()
    }

    /// The whole page's text content (exact, not the rendered `innerText`).
    pub async fn page_text(&self) -> String {
        self.execute("return document.body ? document.body.textContent : '';", vec![]).await.as_str().unwrap_or_default().to_owned()
    }

    /// The citizens' words shown on the page (each `blockquote.citizen`), without the labels
    /// the evidence highlighting adds inside them.
    pub async fn citizen_texts(&self) -> Vec<String> {
        let texts = self
            .execute(
                r#"return [...document.querySelectorAll('blockquote.citizen')].map(b => {
                     const copy = b.cloneNode(true);
                     copy.querySelectorAll('.mark-label, .visually-hidden').forEach(e => e.remove());
                     return copy.textContent;
                   });"#,
                vec![],
            )
            .await;
        strings(&texts)
    }

    /// The page's rendered text, as a person reads it.
    pub async fn visible_text(&self) -> String {
        self.execute("return document.body ? document.body.innerText : '';", vec![]).await.as_str().unwrap_or_default().to_owned()
    }

    /// A PNG of the viewport.
    pub async fn screenshot_png(&self) -> Vec<u8> {
        use base64::Engine;
        let encoded = self.must("GET", "/screenshot", None).await;
        base64::engine::general_purpose::STANDARD
            .decode(encoded.as_str().unwrap_or_default())
            .expect("ChromeDriver sends base64")
    }

    /// Saves a PNG of the whole page (the window is grown to the document's height first)
    /// as `target/tmp/e2e-screenshots/NAME.png`, and as `docs/screenshots/NAME.png` when
    /// `BALISE_SCREENSHOTS=1`. Returns the PNG.
    pub async fn screenshot(&self, name: &str) -> Vec<u8> {
        let height = self
            .execute("return Math.min(4000, Math.max(900, document.documentElement.scrollHeight));", vec![])
            .await
            .as_u64()
            .unwrap_or(900);
        self.must("POST", "/window/rect", Some(json!({ "width": 1280, "height": height }))).await;
        // The window's height includes the browser's own frame: grow it by what is missing.
        let shortfall = self.execute("return window.innerHeight;", vec![]).await.as_u64().map(|inner| height.saturating_sub(inner));
        if let Some(shortfall) = shortfall.filter(|shortfall| *shortfall > 0) {
            self.must("POST", "/window/rect", Some(json!({ "width": 1280, "height": height + shortfall }))).await;
        }
        let png = self.screenshot_png().await;
        self.must("POST", "/window/rect", Some(json!({ "width": 1280, "height": 900 }))).await;
        assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "the screenshot of {name} is not a PNG");
        let mut folders = vec![Path::new(env!("CARGO_TARGET_TMPDIR")).join("e2e-screenshots")];
        if std::env::var("BALISE_SCREENSHOTS").as_deref() == Ok("1") {
            folders.push(repository_root().join("docs/screenshots"));
        }
        for folder in folders {
            std::fs::create_dir_all(&folder).expect("create the screenshots folder");
            std::fs::write(folder.join(format!("{name}.png")), &png).expect("write the screenshot");
        }
        png
    }

    /// Runs axe-core's WCAG 2.1 A/AA rules on the loaded page and returns the violations.
    pub async fn run_axe(&self) -> Vec<Violation> {
        let injected = self.execute("return typeof window.axe === 'object';", vec![]).await;
        if injected != json!(true) {
            self.execute(&format!("{}\nreturn true;", axe_source()), vec![]).await;
        }
        let result = self
            .execute_async(
                r#"const done = arguments[arguments.length - 1];
                   axe.run(document, { runOnly: { type: 'tag', values: arguments[0] }, resultTypes: ['violations'] })
                     .then(r => done(r.violations.map(v => ({
                        id: v.id, impact: v.impact, help: v.help,
                        targets: v.nodes.map(n => n.target.join(' ')),
                        html: v.nodes.map(n => n.html.slice(0, 200)) }))))
                     .catch(e => done({ error: String(e) }));"#,
                vec![json!(AXE_TAGS)],
            )
            .await;
        let Some(items) = result.as_array() else { panic!("axe-core failed: {result}") };
        items
            .iter()
            .map(|item| Violation {
                id: item["id"].as_str().unwrap_or_default().to_owned(),
                impact: item["impact"].as_str().unwrap_or_default().to_owned(),
                help: item["help"].as_str().unwrap_or_default().to_owned(),
                targets: strings(&item["targets"]),
                html: strings(&item["html"]),
            })
            .collect()
    }
}

impl Browser {
    /// Fails with the list of axe-core violations on the page shown, if any. Journeys call
    /// it on the pages an action leads to (with a draft, a proposal, a confirmation).
    pub async fn assert_accessible(&self, what: &str) {
        let violations = self.run_axe().await;
        assert!(
            violations.is_empty(),
            "{what}: axe-core found violations:\n{}",
            violations.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n")
        );
    }
}

fn strings(value: &Value) -> Vec<String> {
    value.as_array().map(|items| items.iter().filter_map(Value::as_str).map(str::to_owned).collect()).unwrap_or_default()
}

/// One axe-core rule broken on a page, with the elements that break it.
#[derive(Clone, Debug)]
pub struct Violation {
    pub id: String,
    pub impact: String,
    pub help: String,
    pub targets: Vec<String>,
    pub html: Vec<String>,
}

impl std::fmt::Display for Violation {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(formatter, "{} ({}): {} — at {}", self.id, self.impact, self.help, self.targets.join(", "))?;
        if let Some(html) = self.html.first() {
            write!(formatter, " — {html}")?;
        }
        Ok(())
    }
}

/// axe-core's source: `BALISE_AXE_JS`, else `tests/browser/node_modules/axe-core/axe.min.js`
/// (installed by `scripts/install-deps`). Missing, it fails the test: a browser that runs
/// but cannot check accessibility is not a pass.
fn axe_source() -> &'static str {
    static SOURCE: OnceLock<String> = OnceLock::new();
    SOURCE.get_or_init(|| {
        let path = std::env::var_os("BALISE_AXE_JS")
            .map(PathBuf::from)
            .unwrap_or_else(|| repository_root().join("tests/browser/node_modules/axe-core/axe.min.js"));
        std::fs::read_to_string(&path)
            .unwrap_or_else(|error| panic!("axe-core not readable at {} ({error}); run scripts/install-deps", path.display()))
    })
}
