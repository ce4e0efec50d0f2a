//! The roots every HTTPS client of a function trusts: Mozilla's root program, compiled in.
//!
//! The SDK's default HTTPS client and reqwest's platform verifier both read the system's trust
//! store when they are built (`rustls-native-certs`: the CA bundle and every file of the
//! certificate directory, each PEM-decoded), which was most of a function's first request. Here
//! the same kind of roots come from `webpki-root-certs` (Mozilla's CA program, the roots trusted
//! for TLS server authentication, as that crate version was generated), so nothing is read from
//! disk. Verification is unchanged: the same rustls WebPKI verifier, the same cipher suites and
//! protocol versions, the same hostname checks; only where the roots come from differs (what the
//! roots are follows the crate's updates, not the image's `ca-certificates`; `SSL_CERT_FILE` and
//! `SSL_CERT_DIR` are no longer read).

use aws_smithy_http_client::{
    ConnectorBuilder,
    proxy::ProxyConfig,
    tls::{self, TlsContext, TrustStore},
};
use aws_smithy_runtime_api::{
    box_error::BoxError,
    client::{
        connector_metadata::ConnectorMetadata,
        http::{HttpClient, HttpConnectorSettings, SharedHttpClient, SharedHttpConnector},
        runtime_components::{RuntimeComponents, RuntimeComponentsBuilder},
    },
};
use aws_smithy_types::config_bag::ConfigBag;

/// The roots as one PEM bundle, for the SDK's trust store (which takes PEM only). Encoded when a
/// connector is built (once a process, about a tenth of a millisecond) rather than compiled in
/// beside the DER: that would add its ~180 KB to every binary.
fn mozilla_roots_pem() -> Vec<u8> {
    use base64::Engine;
    let mut pem = String::with_capacity(200 * 1024);
    let mut encoded = String::new();
    for cert in webpki_root_certs::TLS_SERVER_ROOT_CERTS {
        encoded.clear();
        base64::engine::general_purpose::STANDARD.encode_string(cert.as_ref(), &mut encoded);
        pem.push_str("-----BEGIN CERTIFICATE-----\n");
        for line in encoded.as_bytes().chunks(64) {
            pem.push_str(std::str::from_utf8(line).expect("base64 is ASCII"));
            pem.push('\n');
        }
        pem.push_str("-----END CERTIFICATE-----\n");
    }
    pem.into_bytes()
}

/// The SDK's HTTPS client as `aws-smithy-runtime` builds its default (rustls with aws-lc, the
/// SDK's cipher suites, the proxy settings from the environment, the client's sleep and connector
/// settings), trusting the compiled-in roots instead of the system's.
///
/// One client for every SDK client of the process (`SdkConfig::http_client`), so its connectors,
/// cached per timeout settings, are built once. Each is built at the first request that needs it,
/// not when a service client is constructed: the SDK's default builds one when each client is
/// created only to throw it away ("so that native certs load at client initialization time").
pub fn sdk_https_client() -> SharedHttpClient {
    let client = aws_smithy_http_client::Builder::new().build_with_connector_fn(|settings, components| {
        let mut connector = ConnectorBuilder::default()
            .tls_provider(tls::Provider::Rustls(tls::rustls_provider::CryptoMode::AwsLc))
            .tls_context(tls_context());
        connector.set_connector_settings(settings.cloned());
        if let Some(components) = components {
            connector.set_sleep_impl(components.sleep_impl());
        }
        connector.set_proxy_config(Some(ProxyConfig::from_env()));
        connector.build()
    });
    SharedHttpClient::new(LazyConnectors(client))
}

/// A trust store of the compiled-in roots and nothing else (no native roots).
fn tls_context() -> TlsContext {
    TlsContext::builder()
        .with_trust_store(TrustStore::empty().with_pem_certificate(mozilla_roots_pem()))
        .build()
        .expect("a TLS context of PEM roots always builds")
}

/// `client`, without the eager connector build at client construction.
#[derive(Debug)]
struct LazyConnectors(SharedHttpClient);

impl HttpClient for LazyConnectors {
    fn http_connector(&self, settings: &HttpConnectorSettings, components: &RuntimeComponents) -> SharedHttpConnector {
        self.0.http_connector(settings, components)
    }

    fn validate_base_client_config(&self, _: &RuntimeComponentsBuilder, _: &ConfigBag) -> Result<(), BoxError> {
        Ok(())
    }

    fn validate_final_config(&self, components: &RuntimeComponents, cfg: &ConfigBag) -> Result<(), BoxError> {
        self.0.validate_final_config(components, cfg)
    }

    fn connector_metadata(&self) -> Option<ConnectorMetadata> {
        self.0.connector_metadata()
    }
}

/// The compiled-in roots as reqwest certificates, for `ClientBuilder::tls_certs_only` (which
/// then verifies with rustls's WebPKI verifier over exactly these roots, as the platform
/// verifier does over the system's on Linux).
pub fn reqwest_roots() -> impl Iterator<Item = reqwest::Certificate> {
    webpki_root_certs::TLS_SERVER_ROOT_CERTS
        .iter()
        .map(|der| reqwest::Certificate::from_der(der).expect("from_der only copies the bytes with rustls"))
}

/// A reqwest client builder trusting the compiled-in roots only.
pub fn reqwest_client() -> reqwest::ClientBuilder {
    reqwest::Client::builder().tls_certs_only(reqwest_roots())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundle_holds_every_compiled_root_unchanged() {
        use rustls_pki_types::{CertificateDer, pem::PemObject};
        let pem = mozilla_roots_pem();
        let certs: Vec<CertificateDer<'_>> =
            CertificateDer::pem_slice_iter(&pem).collect::<Result<_, _>>().expect("valid PEM");
        assert_eq!(certs.len(), webpki_root_certs::TLS_SERVER_ROOT_CERTS.len());
        assert!(certs.len() > 100, "Mozilla's program has well over 100 roots, found {}", certs.len());
        assert!(certs.iter().zip(webpki_root_certs::TLS_SERVER_ROOT_CERTS).all(|(a, b)| a == b));
    }
}
