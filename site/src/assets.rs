//! The built files of `web/dist` (the console under `console/`, the reference page under `docs/`),
//! and their gzipped forms.

use std::{
    borrow::Cow,
    collections::HashMap,
    io::Write,
    sync::{Arc, Mutex},
};

#[derive(rust_embed::Embed)]
#[folder = "../web/dist/"]
#[allow_missing = true]
struct Dist;

/// One built file.
pub struct Asset {
    pub bytes: Cow<'static, [u8]>,
    pub mime: String,
}

impl Asset {
    /// The file at `path` under `web/dist`, if it was built.
    pub fn get(path: &str) -> Option<Self> {
        let file = Dist::get(path)?;
        let mime = file.metadata.mimetype().to_owned();
        let mime = if mime.starts_with("text/") || mime == "application/javascript" {
            format!("{mime}; charset=utf-8")
        } else {
            mime
        };
        Some(Self { bytes: file.data, mime })
    }
}

/// Types worth compressing (and sent as text when the client takes no gzip).
pub fn is_text(mime: &str) -> bool {
    mime.starts_with("text/")
        || mime.starts_with("application/javascript")
        || mime.starts_with("application/json")
        || mime.starts_with("image/svg")
}

/// `bytes` gzipped; in a release build (the files compiled in) each file is compressed once
/// per process.
pub fn gzip(bytes: &[u8]) -> Vec<u8> {
    static CACHE: Mutex<Option<HashMap<usize, Arc<Vec<u8>>>>> = Mutex::new(None);
    let compress = || {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        let _ = encoder.write_all(bytes);
        encoder.finish().unwrap_or_default()
    };
    if cfg!(debug_assertions) {
        return compress();
    }
    // Compiled-in files never move, so their address names them.
    let key = bytes.as_ptr() as usize;
    if let Some(hit) = CACHE.lock().ok().and_then(|cache| cache.as_ref()?.get(&key).cloned()) {
        return hit.to_vec();
    }
    let zipped = Arc::new(compress());
    if let Ok(mut cache) = CACHE.lock() {
        cache.get_or_insert_with(HashMap::new).insert(key, zipped.clone());
    }
    zipped.to_vec()
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use super::*;

    #[test]
    fn gzip_round_trips() {
        let text = "console ".repeat(100);
        let zipped = gzip(text.as_bytes());
        assert!(zipped.len() < text.len());
        let mut back = String::new();
        flate2::read::GzDecoder::new(zipped.as_slice()).read_to_string(&mut back).unwrap();
        assert_eq!(back, text);
        assert!(is_text("application/javascript; charset=utf-8") && !is_text("image/png"));
    }
}
