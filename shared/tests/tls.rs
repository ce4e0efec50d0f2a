//! The HTTPS clients of `shared::tls` verify certificates: a server whose certificate chains to
//! none of the compiled-in roots is refused, by the SDK's client and by reqwest's, and the same
//! server is accepted by a client that trusts its certificate (so the refusal is the roots').
//!
//! The server's certificate is self-signed for `localhost`, made when the test runs (`rcgen`).

use std::sync::Arc;

use aws_config::{BehaviorVersion, Region, SdkConfig, retry::RetryConfig};
use aws_credential_types::{Credentials, provider::SharedCredentialsProvider};
use rustls_pki_types::{CertificateDer, PrivateKeyDer, pem::PemObject};
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    sync::mpsc,
};

/// A self-signed certificate for `localhost` and its key, both PEM, made once per test binary.
fn fixture() -> &'static (String, String) {
    static FIXTURE: std::sync::OnceLock<(String, String)> = std::sync::OnceLock::new();
    FIXTURE.get_or_init(|| {
        let made = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).expect("a certificate");
        (made.cert.pem(), made.signing_key.serialize_pem())
    })
}

/// A TLS server on loopback presenting the fixture; reports each handshake's outcome and answers
/// every completed handshake with an empty `200`.
async fn tls_server() -> (u16, mpsc::UnboundedReceiver<Result<(), String>>) {
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    let (cert, key) = fixture();
    let certs = vec![CertificateDer::from_pem_slice(cert.as_bytes()).expect("the fixture's certificate")];
    let key = PrivateKeyDer::from_pem_slice(key.as_bytes()).expect("the fixture's key");
    let config = rustls::ServerConfig::builder().with_no_client_auth().with_single_cert(certs, key).expect("a config");
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("a loopback port");
    let port = listener.local_addr().expect("its address").port();
    let (report, outcomes) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            let (acceptor, report) = (acceptor.clone(), report.clone());
            tokio::spawn(async move {
                match acceptor.accept(socket).await {
                    Ok(mut stream) => {
                        let _ = report.send(Ok(()));
                        let mut request = [0u8; 4096];
                        let _ = stream.read(&mut request).await;
                        let _ = stream.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n").await;
                        let _ = stream.shutdown().await;
                    }
                    Err(e) => {
                        let _ = report.send(Err(e.to_string()));
                    }
                }
            });
        }
    });
    (port, outcomes)
}

/// The client refused the certificate: rustls sends `unknown_ca` for an issuer it does not trust.
async fn assert_refused_as_unknown_ca(outcomes: &mut mpsc::UnboundedReceiver<Result<(), String>>) {
    let outcome = tokio::time::timeout(std::time::Duration::from_secs(10), outcomes.recv())
        .await
        .expect("a handshake within 10 s")
        .expect("the server reports it");
    let error = outcome.expect_err("the handshake must fail");
    assert!(error.contains("UnknownCA"), "the client must refuse the issuer, the server saw: {error}");
}

#[tokio::test]
async fn the_sdk_client_refuses_a_certificate_no_compiled_root_signed() {
    let (port, mut outcomes) = tls_server().await;
    let sdk = SdkConfig::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(SharedCredentialsProvider::new(Credentials::new("test", "test", None, None, "tests")))
        .retry_config(RetryConfig::disabled())
        .endpoint_url(format!("https://localhost:{port}"))
        .http_client(shared::tls::sdk_https_client())
        .build();
    let dynamodb = aws_sdk_dynamodb::Client::new(&sdk);
    let error = dynamodb.list_tables().send().await.expect_err("an untrusted server must be refused");
    assert!(
        matches!(error, aws_sdk_dynamodb::error::SdkError::DispatchFailure(_)),
        "the request must fail at the connection: {error:?}"
    );
    assert_refused_as_unknown_ca(&mut outcomes).await;
}

#[tokio::test]
async fn the_reqwest_client_refuses_it_and_a_client_trusting_it_accepts_it() {
    let (port, mut outcomes) = tls_server().await;
    let url = format!("https://localhost:{port}/");
    let refused = shared::tls::reqwest_client().build().expect("a client").get(&url).send().await;
    assert!(refused.is_err(), "an untrusted server must be refused: {refused:?}");
    assert_refused_as_unknown_ca(&mut outcomes).await;

    let trusting = reqwest::Client::builder()
        .tls_certs_only([reqwest::Certificate::from_pem(fixture().0.as_bytes()).expect("the fixture")])
        .build()
        .expect("a client");
    let answer = trusting.get(&url).send().await.expect("the fixture's own root accepts it");
    assert_eq!(answer.status(), 200);
    assert_eq!(outcomes.recv().await, Some(Ok(())));
}
