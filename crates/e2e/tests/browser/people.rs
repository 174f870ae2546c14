//! The people of the browser tests: one user per role in the MAMH organisation, created in
//! the store with a real argon2 hash (as `balise user add` does) and signed in through the
//! real sign-in page; API tokens for the calls a connector would make.

use domain::audit::{Actor, Attribution};
use domain::entities::{Login, NewUser, OrganisationId, RoleId, User};
use domain::profile::Role;

/// Every test user's password.
pub const PASSWORD: &str = "mot-de-passe-des-tests-e2e";

/// The organisation the tests run on.
pub const ORGANISATION: &str = "mamh";

/// The login of a role's test user: `e2e-community-manager`…
pub fn login_of(role: Role) -> String {
    format!("e2e-{}", role.id().replace('_', "-"))
}

fn by() -> Attribution {
    Attribution::by(Actor::system("e2e").expect("a valid actor name"))
}

/// The test user of `role`, created (named `name`, or after the role) if missing.
pub async fn ensure_user(app: &testkit::TestApp, role: Role, name: Option<&str>) -> User {
    let login = Login::parse(&login_of(role)).unwrap();
    if let Some(user) = app.store.get_user_by_login(&login).await.unwrap() {
        return user;
    }
    let password = web::auth::password::NewPassword::parse(PASSWORD).unwrap();
    let user = NewUser {
        organisation_id: OrganisationId::parse(ORGANISATION).unwrap(),
        login,
        display_name: name.map(str::to_owned).unwrap_or_else(|| format!("Test {}", role.id())),
        role: RoleId::parse(role.id()).unwrap(),
        password_hash: web::auth::password::hash_password_blocking(password).await.unwrap(),
    };
    app.store.add_user(&by(), &user).await.unwrap()
}

/// A client whose every request carries an API token of the test user of `role`.
pub async fn token_client(app: &testkit::TestApp, role: Role) -> reqwest::Client {
    let user = ensure_user(app, role, None).await;
    let secret = web::auth::secrets::random_api_token().unwrap();
    let token = store::auth::NewApiToken {
        user_id: user.id,
        name: "e2e".to_owned(),
        token_hash: web::auth::secrets::token_hash(&secret),
    };
    app.store.create_api_token(&by(), &token).await.unwrap();
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert("authorization", format!("Bearer {secret}").parse().unwrap());
    reqwest::Client::builder().default_headers(headers).build().unwrap()
}
