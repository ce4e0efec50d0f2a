//! The local API's front door: `cargo lambda watch` listens on an internal port and this proxy
//! serves the public one, so that the local API hands functions what API Gateway would.
//!
//! cargo-lambda's router reads a body whose `Content-Type` is text or JSON as a UTF-8 string and
//! answers its own `500` problem document when the bytes are not UTF-8, so such a request never
//! reaches the function. API Gateway delivers it (base64-encoded) and the function answers the
//! contract's `400 malformed_json`. The front passes those bytes on as
//! `application/octet-stream`, which cargo-lambda base64-encodes as API Gateway does; everything
//! else goes through untouched.
//!
//! Under concurrent requests to one function, cargo-lambda's router now and then loses one and
//! answers its own `500` problem document (`{"type":"https://httpstatuses.com/500",...}`; our
//! functions never answer that). A `GET` changes nothing, so the front sends such a one again, a few times;
//! other methods get the router's answer as it is.

use std::{convert::Infallible, net::SocketAddr, time::Duration};

use anyhow::{Context, Result};
use http_body_util::{BodyExt, Full};
use hyper::{
    Request, Response, StatusCode,
    body::{Bytes, Incoming},
    header::{CONTENT_LENGTH, CONTENT_TYPE, HOST, HeaderValue},
    server::conn::http1,
    service::service_fn,
};
use hyper_util::rt::TokioIo;

/// Serves `public` by forwarding every request to `127.0.0.1:internal`, until the returned task is
/// aborted. Call inside a tokio runtime.
pub fn serve(public: SocketAddr, internal: u16) -> Result<tokio::task::JoinHandle<()>> {
    let listener = std::net::TcpListener::bind(public).with_context(|| format!("listening on {public}"))?;
    listener.set_nonblocking(true)?;
    let listener = tokio::net::TcpListener::from_std(listener)?;
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(900))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .context("the front's HTTP client")?;
    Ok(tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else { continue };
            let client = client.clone();
            tokio::spawn(async move {
                let service = service_fn(move |req| forward(client.clone(), internal, req));
                let _ = http1::Builder::new().serve_connection(TokioIo::new(stream), service).await;
            });
        }
    }))
}

async fn forward(
    client: reqwest::Client,
    internal: u16,
    req: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let (parts, body) = req.into_parts();
    let body = match body.collect().await {
        Ok(body) => body.to_bytes(),
        Err(err) => return Ok(plain(StatusCode::BAD_REQUEST, format!("unreadable request body: {err}"))),
    };
    let path = parts.uri.path_and_query().map_or("/", |p| p.as_str());
    let binary = std::str::from_utf8(&body).is_err() && is_text(parts.headers.get(CONTENT_TYPE));
    let mut request = client.request(parts.method.clone(), format!("http://127.0.0.1:{internal}{path}"));
    for (name, value) in &parts.headers {
        if name != HOST && name != CONTENT_LENGTH && !(binary && name == CONTENT_TYPE) {
            request = request.header(name, value);
        }
    }
    if binary {
        request = request.header(CONTENT_TYPE, "application/octet-stream");
    }
    let request = request.body(body);
    let mut attempts = 0;
    let response = loop {
        let attempt = request.try_clone().map(|r| r.send());
        let response = match attempt {
            Some(sent) => sent.await,
            None => return Ok(plain(StatusCode::BAD_GATEWAY, "the request cannot be forwarded".into())),
        };
        let response = match response {
            Ok(response) => response,
            Err(err) => return Ok(plain(StatusCode::BAD_GATEWAY, format!("the local router is unreachable: {err}"))),
        };
        attempts += 1;
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.bytes().await.unwrap_or_default();
        if parts.method == hyper::Method::GET && attempts < RETRIES && router_lost_it(status, &bytes) {
            tracing::debug!(path, "the local router lost a GET; sending it again");
            continue;
        }
        break (status, headers, bytes);
    };
    let (status, headers, bytes) = response;
    let mut out = Response::builder().status(status);
    for (name, value) in &headers {
        if name != CONTENT_LENGTH {
            out = out.header(name, value);
        }
    }
    Ok(out.body(Full::new(bytes)).unwrap_or_else(|_| plain(StatusCode::BAD_GATEWAY, "bad response".into())))
}

/// Sends of one `GET` when the router keeps losing it.
const RETRIES: u32 = 3;

/// cargo-lambda's own error document (a request it lost), not a function's answer.
fn router_lost_it(status: reqwest::StatusCode, body: &[u8]) -> bool {
    status == StatusCode::INTERNAL_SERVER_ERROR && body.starts_with(br#"{"type":"https://httpstatuses.com/"#)
}

/// The content types cargo-lambda reads as text.
fn is_text(content_type: Option<&HeaderValue>) -> bool {
    content_type
        .and_then(|v| v.to_str().ok())
        .is_none_or(|c| c.starts_with("text/") || c.starts_with("application/json"))
}

fn plain(status: StatusCode, text: String) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(text)));
    *response.status_mut() = status;
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_types_are_the_ones_cargo_lambda_reads_as_strings() {
        assert!(is_text(None));
        assert!(is_text(Some(&HeaderValue::from_static("application/json; charset=utf-8"))));
        assert!(is_text(Some(&HeaderValue::from_static("text/html"))));
        assert!(!is_text(Some(&HeaderValue::from_static("application/octet-stream"))));
    }
}
