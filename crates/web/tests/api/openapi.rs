//! The OpenAPI document at `/api/v1/openapi.json`: served to anyone as JSON, OpenAPI 3.1,
//! and in step with the access table — every `/api/v1` route of
//! `web::auth::routes::ROUTE_TABLE` documented, nothing else, each operation naming the
//! permission the table requires, every `$ref` resolving.

use std::collections::BTreeSet;

use serde_json::Value;
use testkit::spawn_app;
use web::auth::routes::{Access, ROUTE_TABLE};

fn document() -> Value {
    serde_json::from_str(web::api_openapi::OPENAPI_DOCUMENT).expect("the shipped document is JSON")
}

const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];

/// Every `(METHOD, path, operation)` of the document.
fn operations(document: &Value) -> Vec<(String, String, &Value)> {
    let mut found = Vec::new();
    for (path, item) in document["paths"].as_object().expect("paths is an object") {
        for (method, operation) in item.as_object().expect("a path item is an object") {
            assert!(METHODS.contains(&method.as_str()), "{path}: unexpected key {method}");
            found.push((method.to_uppercase(), path.clone(), operation));
        }
    }
    found
}

#[tokio::test]
async fn the_document_is_served_to_anyone_as_json() {
    let app = spawn_app(&["mamh"]).await;
    let response = reqwest::get(app.url("/api/v1/openapi.json")).await.unwrap();
    assert_eq!(response.status().as_u16(), 200);
    assert!(response.headers()["content-type"].to_str().unwrap().starts_with("application/json"));
    let served: Value = response.json().await.unwrap();
    assert_eq!(served, document());
    let version = served["openapi"].as_str().unwrap();
    assert!(version.starts_with("3.1."), "openapi is {version}");
    assert_eq!(served["info"]["title"], "Balise API");
    assert_eq!(served["info"]["version"], "1");
}

#[test]
fn the_document_lists_exactly_the_api_routes_of_the_access_table() {
    let document = document();
    let documented: BTreeSet<(String, String)> =
        operations(&document).into_iter().map(|(method, path, _)| (method, path)).collect();
    let table: BTreeSet<(String, String)> = ROUTE_TABLE
        .iter()
        .filter(|rule| rule.path.starts_with("/api/v1/"))
        .map(|rule| (rule.method.to_owned(), rule.path.to_owned()))
        .collect();
    let undocumented: Vec<_> = table.difference(&documented).collect();
    let stale: Vec<_> = documented.difference(&table).collect();
    assert!(
        undocumented.is_empty() && stale.is_empty(),
        "document in crates/web/openapi/openapi.json: {undocumented:?}\nremove from it (not in the access table): {stale:?}"
    );
}

#[test]
fn each_operation_names_its_permission_and_has_responses() {
    let document = document();
    for (method, path, operation) in operations(&document) {
        let responses = operation["responses"].as_object().unwrap_or_else(|| panic!("{method} {path}: no responses"));
        assert!(!responses.is_empty(), "{method} {path}: no responses");
        let description = operation["description"].as_str().unwrap_or_else(|| panic!("{method} {path}: no description"));
        assert!(description.contains("Permission"), "{method} {path}: the description names no permission");
        let rule = ROUTE_TABLE
            .iter()
            .find(|rule| rule.method == method && rule.path == path)
            .unwrap_or_else(|| panic!("{method} {path} is not in the access table"));
        let needed: Vec<&str> = match rule.access {
            Access::Public | Access::SignedIn => Vec::new(),
            Access::Permission(permission) => vec![permission.id()],
            Access::AnyOf(permissions) => permissions.iter().map(|permission| permission.id()).collect(),
        };
        for permission in needed {
            assert!(description.contains(permission), "{method} {path}: the description does not name `{permission}`");
        }
        // A public route says so, and is the only kind that drops the security requirement.
        let open = operation["security"] == serde_json::json!([{}]);
        assert_eq!(open, rule.access == Access::Public, "{method} {path}: security does not match the table");
    }
}

fn collect_refs<'a>(value: &'a Value, found: &mut Vec<&'a str>) {
    match value {
        Value::Object(map) => {
            for (key, inner) in map {
                if key == "$ref" {
                    found.push(inner.as_str().expect("$ref is a string"));
                } else {
                    collect_refs(inner, found);
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|item| collect_refs(item, found)),
        _ => {}
    }
}

#[test]
fn every_reference_resolves() {
    let document = document();
    let mut references = Vec::new();
    collect_refs(&document, &mut references);
    assert!(!references.is_empty(), "the document uses shared schemas");
    for reference in references {
        let pointer = reference.strip_prefix('#').unwrap_or_else(|| panic!("{reference} is not local"));
        assert!(document.pointer(pointer).is_some(), "{reference} resolves to nothing");
    }
    let schemes = document["components"]["securitySchemes"].as_object().unwrap();
    for requirement in document["security"].as_array().unwrap() {
        for name in requirement.as_object().unwrap().keys() {
            assert!(schemes.contains_key(name), "security scheme {name} is not defined");
        }
    }
    assert_eq!(schemes["sessionCookie"]["name"], "balise_session");
    assert_eq!(schemes["csrfToken"]["name"], "X-CSRF-Token");
    assert_eq!(schemes["bearerToken"]["scheme"], "bearer");
    let error = &document["components"]["schemas"]["Error"];
    assert_eq!(error["properties"]["error"]["required"], serde_json::json!(["code", "message"]));
}
