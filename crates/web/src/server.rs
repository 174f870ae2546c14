//! The listening server: `build` binds (port 0 in tests), `port` reports the bound port,
//! `run_until_stopped` serves until the shutdown future resolves.

use crate::{AppState, api, pages};
use axum::Router;
use std::future::Future;
use std::net::SocketAddr;
use tokio::net::TcpListener;

/// A bound, not yet serving, Balise server.
pub struct Application {
    listener: TcpListener,
    router: Router,
}

impl Application {
    /// Binds `address` and prepares the router. Binding happens here so that a caller learns
    /// about a busy port before anything else starts.
    pub async fn build(address: SocketAddr, state: AppState) -> std::io::Result<Application> {
        let listener = TcpListener::bind(address).await?;
        let router = Router::new()
            .merge(pages::router())
            .merge(crate::pages_editorial::router())
            .merge(crate::auth::router())
            .nest(
                "/api/v1",
                api::router()
                    .merge(crate::api_messages::router())
                    .merge(crate::api_cases::router())
                    .merge(crate::api_editorial::router())
                    .merge(crate::api_workplace::router())
                    .merge(crate::api_openapi::router()),
            )
            .layer(axum::middleware::from_fn_with_state(state.clone(), crate::auth::enforce_route_table))
            .layer(axum::middleware::from_fn(crate::i18n::remember_language))
            .layer(tower_http::trace::TraceLayer::new_for_http())
            .with_state(state);
        Ok(Application { listener, router })
    }

    /// The port actually bound (useful when `build` was given port 0).
    pub fn port(&self) -> u16 {
        self.local_addr().map(|address| address.port()).unwrap_or(0)
    }

    /// The address actually bound.
    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// Serves until `shutdown` resolves, then finishes the requests in flight.
    pub async fn run_until_stopped(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        axum::serve(self.listener, self.router)
            .with_graceful_shutdown(shutdown)
            .await
    }
}
