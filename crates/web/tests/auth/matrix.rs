//! The matrix of roles × routes: every line of the access table
//! (`web::auth::routes::ROUTE_TABLE`) is called by nobody and by a signed-in person of each
//! role of the MAMH profile. A role the line allows must not get 401/403; a role it excludes
//! must get 403; nobody gets 401 (API) or the sign-in page (pages), except on public routes.
//! A second test reads the router's source and fails when a registered route is missing
//! from the table (or the table lists a route that no longer exists).

use std::collections::BTreeSet;

use domain::profile::{Profile, Role};
use reqwest::redirect::Policy;
use testkit::spawn_app;
use web::auth::routes::{Access, RouteRule, ROUTE_TABLE};

/// A concrete path for a pattern: the MAMH organisation for organisation ids, a number no
/// record has for other ids (handlers then answer 404 after the access check).
fn concrete(pattern: &str) -> String {
    let mut path = String::new();
    let mut previous = "";
    for segment in pattern.split('/').skip(1) {
        path.push('/');
        if segment.starts_with('{') && segment.ends_with('}') {
            path.push_str(if previous == "organisations" { "mamh" } else { "999999" });
        } else {
            path.push_str(segment);
        }
        previous = segment;
    }
    if path.is_empty() { "/".to_owned() } else { path }
}

fn allowed(profile: &Profile, role: Role, access: Access) -> bool {
    match access {
        Access::Public | Access::SignedIn => true,
        Access::Permission(permission) => profile.may(role, permission),
        Access::AnyOf(permissions) => permissions.iter().any(|permission| profile.may(role, *permission)),
    }
}

async fn call(client: &reqwest::Client, base: &str, rule: &RouteRule, csrf: Option<&str>) -> reqwest::Response {
    let url = format!("{base}{}", concrete(rule.path));
    let is_api = rule.path.starts_with("/api/");
    let method = reqwest::Method::from_bytes(rule.method.as_bytes()).unwrap();
    let mut request = client.request(method.clone(), url);
    if method == reqwest::Method::POST || method == reqwest::Method::PUT || method == reqwest::Method::PATCH {
        request = if is_api {
            request.json(&serde_json::json!({}))
        } else {
            request
                .header("content-type", "application/x-www-form-urlencoded")
                .body(csrf.map(|token| format!("csrf={token}")).unwrap_or_default())
        };
    }
    request.send().await.unwrap()
}

/// Signing out ends the session: it goes last for each role.
fn table_in_calling_order() -> Vec<&'static RouteRule> {
    let mut rules: Vec<&RouteRule> = ROUTE_TABLE.iter().collect();
    rules.sort_by_key(|rule| rule.path == "/deconnexion");
    rules
}

#[tokio::test]
async fn every_role_gets_exactly_what_the_table_grants() {
    let app = spawn_app(&["mamh"]).await;
    let profile = Profile::preset("mamh").unwrap();
    let base = format!("http://{}", app.address);
    let mut failures = Vec::new();

    let anonymous = reqwest::Client::builder().redirect(Policy::none()).build().unwrap();
    for rule in table_in_calling_order() {
        let response = call(&anonymous, &base, rule, None).await;
        let status = response.status().as_u16();
        let location = response.headers().get("location").map(|value| value.to_str().unwrap().to_owned());
        match rule.access {
            Access::Public => {
                if status == 401 || status == 403 {
                    failures.push(format!("nobody: {} {} is public but got {status}", rule.method, rule.path));
                }
            }
            _ if rule.path.starts_with("/api/") => {
                if status != 401 {
                    failures.push(format!("nobody: {} {} expected 401, got {status}", rule.method, rule.path));
                }
            }
            _ => {
                let to_sign_in = status == 303 && location.as_deref().is_some_and(|target| target.starts_with("/connexion?suite="));
                if !to_sign_in {
                    failures.push(format!("nobody: {} {} expected a redirect to /connexion, got {status} {location:?}", rule.method, rule.path));
                }
            }
        }
    }

    let roles: Vec<Role> = profile.roles().iter().map(|grant| grant.role).collect();
    assert!(roles.len() >= 7, "the MAMH profile defines the roles of issue 5: {roles:?}");
    for role in roles {
        let session = app.sign_in_session(role).await;
        let client = reqwest::Client::builder()
            .redirect(Policy::none())
            .default_headers({
                let mut headers = reqwest::header::HeaderMap::new();
                headers.insert("cookie", format!("balise_session={}", session.session_token).parse().unwrap());
                headers.insert("x-csrf-token", session.csrf_token.parse().unwrap());
                headers
            })
            .build()
            .unwrap();
        for rule in table_in_calling_order() {
            let status = call(&client, &base, rule, Some(&session.csrf_token)).await.status().as_u16();
            let expected_allowed = allowed(&profile, role, rule.access);
            if expected_allowed && (status == 401 || status == 403) {
                failures.push(format!("{role}: {} {} is allowed but got {status}", rule.method, rule.path));
            }
            if !expected_allowed && status != 403 {
                failures.push(format!("{role}: {} {} is forbidden but got {status}", rule.method, rule.path));
            }
        }
    }
    assert!(failures.is_empty(), "{} mismatches:\n{}", failures.len(), failures.join("\n"));
}

/// The HTTP methods registered by one `.route(…)` call's method router text.
fn methods_in(call: &str) -> Vec<&'static str> {
    let mut found = Vec::new();
    for (name, method) in [("get", "GET"), ("post", "POST"), ("put", "PUT"), ("patch", "PATCH"), ("delete", "DELETE")] {
        let needle = format!("{name}(");
        let mut start = 0;
        while let Some(offset) = call[start..].find(&needle) {
            let at = start + offset;
            let before = call[..at].chars().next_back();
            if !before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                found.push(method);
                break;
            }
            start = at + needle.len();
        }
    }
    found
}

/// Every `(METHOD, path)` registered with `.route("…", …)` in `crates/web/src`. Files named
/// `api*.rs` build routers nested under `/api/v1` (unless the path already starts `/api/`).
fn routes_in_source() -> BTreeSet<(String, String)> {
    let mut routes = BTreeSet::new();
    let mut pending = vec![std::path::PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/src"))];
    while let Some(directory) = pending.pop() {
        for entry in std::fs::read_dir(&directory).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
                continue;
            }
            if path.extension().is_none_or(|extension| extension != "rs") {
                continue;
            }
            let nested = path.file_name().unwrap().to_str().unwrap().starts_with("api");
            let text = std::fs::read_to_string(&path).unwrap();
            let mut rest = text.as_str();
            while let Some(offset) = rest.find(".route(") {
                rest = &rest[offset + ".route(".len()..];
                let trimmed = rest.trim_start();
                let Some(literal) = trimmed.strip_prefix('"') else { continue };
                let Some(end) = literal.find('"') else { continue };
                let route_path = &literal[..end];
                // The method router: up to the `)` that closes `.route(`.
                let mut depth = 1;
                let mut close = 0;
                for (index, character) in trimmed.char_indices() {
                    match character {
                        '(' => depth += 1,
                        ')' => {
                            depth -= 1;
                            if depth == 0 {
                                close = index;
                                break;
                            }
                        }
                        _ => {}
                    }
                }
                let full = if nested && !route_path.starts_with("/api/") {
                    format!("/api/v1{route_path}")
                } else {
                    route_path.to_owned()
                };
                for method in methods_in(&trimmed[end + 2..close.max(end + 2)]) {
                    routes.insert((method.to_owned(), full.clone()));
                }
            }
        }
    }
    routes
}

#[test]
fn the_table_lists_every_route_of_the_router_and_nothing_else() {
    let registered = routes_in_source();
    assert!(registered.contains(&("GET".to_owned(), "/api/v1/health".to_owned())), "the scan works: {registered:?}");
    assert!(registered.contains(&("POST".to_owned(), "/connexion".to_owned())), "the scan works: {registered:?}");
    let table: BTreeSet<(String, String)> =
        ROUTE_TABLE.iter().map(|rule| (rule.method.to_owned(), rule.path.to_owned())).collect();
    let missing: Vec<_> = registered.difference(&table).collect();
    let stale: Vec<_> = table.difference(&registered).collect();
    assert!(
        missing.is_empty() && stale.is_empty(),
        "add to crates/web/src/auth/routes.rs: {missing:?}\nremove from it (no such route): {stale:?}"
    );
}

#[test]
fn concrete_paths_fill_parameters() {
    assert_eq!(concrete("/api/v1/organisations/{id}/messages"), "/api/v1/organisations/mamh/messages");
    assert_eq!(concrete("/cas/{id}/reponse"), "/cas/999999/reponse");
    assert_eq!(concrete("/"), "/");
    assert_eq!(methods_in("get(a).post(b)"), ["GET", "POST"]);
    assert_eq!(methods_in("axum::routing::delete(revoke)"), ["DELETE"]);
    assert!(methods_in("forget(x)").is_empty());
}
