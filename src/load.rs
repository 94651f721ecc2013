//! Stage 1, load: read `platform.toml` and `services/*.toml` into the typed
//! model, keeping every source text for later diagnostics.
//!
//! Service files are read in byte order of their names, so the order of the
//! model never depends on the file system.

use std::fs;
use std::path::Path;

use serde::de::DeserializeOwned;

use crate::diag::{Diagnostic, Diagnostics, SourceFile};
use crate::layout::{PLATFORM_FILE, RELEASES_DIR, SECRETS_DIR, SERVICES_DIR, VALUES_SUFFIX};
use crate::model::{PlatformFile, ReleaseFile, ServiceFile};

/// A file of `secrets/`, parsed as YAML but not yet checked.
#[derive(Debug, Clone)]
pub struct SecretFile {
    pub source: SourceFile,
    pub doc: serde_json::Value,
}

/// A service file and its name (explicit or the file stem).
#[derive(Debug, Clone)]
pub struct LoadedService {
    pub source: SourceFile,
    pub name: String,
    pub file: ServiceFile,
}

/// A release file and its name (explicit or the file stem).
#[derive(Debug, Clone)]
pub struct LoadedRelease {
    pub source: SourceFile,
    pub name: String,
    pub file: ReleaseFile,
}

#[derive(Debug, Clone)]
pub struct Loaded {
    pub platform_source: SourceFile,
    pub platform: PlatformFile,
    pub services: Vec<LoadedService>,
    /// Stems of service files that did not parse: a reference to one of
    /// these names may be correct, so the checks do not call it unknown.
    pub unparsed: Vec<String>,
    /// The YAML files of `secrets/`, by file name.
    pub secret_files: std::collections::BTreeMap<String, SecretFile>,
    /// The Helm releases of `releases/`, in file name order.
    pub releases: Vec<LoadedRelease>,
    /// The values files of `releases/` (`*.values.yaml`), by file name.
    pub values_files: std::collections::BTreeMap<String, SourceFile>,
}

/// Reads and parses every source under `root`. Returns the model of what
/// parsed (none without a platform file) and a diagnostic for every file
/// that did not, so the checks can still run on the rest.
pub fn load(root: &Path) -> (Option<Loaded>, Diagnostics) {
    let mut diags = Diagnostics::default();

    let platform_source = read(root, PLATFORM_FILE, &mut diags);
    let platform = platform_source
        .as_ref()
        .and_then(|s| parse::<PlatformFile>(s, &mut diags));

    let mut services = Vec::new();
    let mut unparsed = Vec::new();
    let dir = root.join(SERVICES_DIR);
    match fs::read_dir(&dir) {
        Ok(entries) => {
            let mut names: Vec<String> = entries
                .filter_map(|e| e.ok())
                .filter(|e| e.file_type().map(|t| t.is_file()).unwrap_or(false))
                .filter_map(|e| e.file_name().into_string().ok())
                .filter(|n| n.ends_with(".toml") && !n.starts_with('.'))
                .collect();
            names.sort();
            // Files parse independently: in parallel, merged in name order.
            let parsed = crate::parallel::map(&names, |name| {
                let mut d = Diagnostics::default();
                let rel = format!("{SERVICES_DIR}/{name}");
                let source = read(root, &rel, &mut d);
                let file = source
                    .as_ref()
                    .and_then(|s| parse::<ServiceFile>(s, &mut d));
                (source, file, d)
            });
            for (name, (source, file, d)) in names.iter().zip(parsed) {
                diags.0.extend(d.0);
                let Some(source) = source else { continue };
                let stem = name.trim_end_matches(".toml").to_string();
                match file {
                    Some(file) => {
                        let name = file.name.as_ref().map_or(stem, |n| n.get_ref().clone());
                        services.push(LoadedService { source, name, file });
                    }
                    None => unparsed.push(stem),
                }
            }
        }
        Err(e) => diags.push(Diagnostic::file(
            "E0002",
            SERVICES_DIR,
            format!("cannot read the services directory: {e}"),
            "create services/ with one <name>.toml per service",
        )),
    }

    let mut secret_files = std::collections::BTreeMap::new();
    for name in file_names(&root.join(SECRETS_DIR), ".yaml") {
        let rel = format!("{SECRETS_DIR}/{name}");
        let Some(source) = read(root, &rel, &mut diags) else {
            continue;
        };
        match serde_saphyr::from_str::<serde_json::Value>(&source.text) {
            Ok(doc) => {
                secret_files.insert(name, SecretFile { source, doc });
            }
            Err(e) => {
                let at = e
                    .location()
                    .and_then(|l| l.span().byte_offset())
                    .map_or(0, |o| o as usize);
                let message = e.to_string();
                let first = message.lines().next().unwrap_or("").to_string();
                diags.push(
                    Diagnostic::at("E0001", &source, at..at, first, "fix the YAML syntax")
                        .field(""),
                );
            }
        }
    }

    let (releases, values_files) = load_releases(root, &mut diags, &mut unparsed);

    let loaded = match (platform_source, platform) {
        (Some(platform_source), Some(platform)) => Some(Loaded {
            platform_source,
            platform,
            services,
            unparsed,
            secret_files,
            releases,
            values_files,
        }),
        _ => None,
    };
    (loaded, diags)
}

/// The release files of `releases/` (a stem that does not parse is recorded
/// in `unparsed`, like a service's), and its values files as text: what they
/// hold is checked later.
fn load_releases(
    root: &Path,
    diags: &mut Diagnostics,
    unparsed: &mut Vec<String>,
) -> (
    Vec<LoadedRelease>,
    std::collections::BTreeMap<String, SourceFile>,
) {
    let dir = root.join(RELEASES_DIR);
    let mut releases = Vec::new();
    for name in file_names(&dir, ".toml") {
        let Some(source) = read(root, &format!("{RELEASES_DIR}/{name}"), diags) else {
            continue;
        };
        let stem = name.trim_end_matches(".toml").to_string();
        match parse::<ReleaseFile>(&source, diags) {
            Some(file) => {
                let name = file.name.as_ref().map_or(stem, |n| n.get_ref().clone());
                releases.push(LoadedRelease { source, name, file });
            }
            None => unparsed.push(stem),
        }
    }
    let mut values = std::collections::BTreeMap::new();
    for name in file_names(&dir, VALUES_SUFFIX) {
        if let Some(source) = read(root, &format!("{RELEASES_DIR}/{name}"), diags) {
            values.insert(name, source);
        }
    }
    (releases, values)
}

/// Regular files of `dir` ending in `suffix`, in byte order; none when the
/// directory does not exist.
fn file_names(dir: &Path, suffix: &str) -> Vec<String> {
    let Ok(entries) = fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut names: Vec<String> = entries
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().map(|t| t.is_file()).unwrap_or(false))
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|n| n.ends_with(suffix) && !n.starts_with('.'))
        .collect();
    names.sort();
    names
}

fn read(root: &Path, rel: &str, diags: &mut Diagnostics) -> Option<SourceFile> {
    match fs::read(root.join(rel)) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(text) => Some(SourceFile::new(rel.to_string(), text)),
            Err(e) => {
                diags.push(Diagnostic::file(
                    "E0002",
                    rel,
                    format!("not valid UTF-8 (byte {})", e.utf8_error().valid_up_to()),
                    "save the file as UTF-8",
                ));
                None
            }
        },
        Err(e) => {
            diags.push(Diagnostic::file(
                "E0002",
                rel,
                format!("cannot read file: {e}"),
                if rel == PLATFORM_FILE {
                    "run platformc from the platform's root, or pass --root"
                } else {
                    "check the file's permissions"
                },
            ));
            None
        }
    }
}

fn parse<T: DeserializeOwned>(source: &SourceFile, diags: &mut Diagnostics) -> Option<T> {
    match toml::from_str::<T>(&source.text) {
        Ok(v) => Some(v),
        Err(e) => {
            let span = e.span().unwrap_or(0..0);
            let message = e.message().trim().to_string();
            let (code, help) = classify(&message);
            diags.push(Diagnostic::at(code, source, span, message, help));
            None
        }
    }
}

/// Stable codes and advice for the errors serde and the TOML parser report.
fn classify(message: &str) -> (&'static str, String) {
    if message.starts_with("unknown field") {
        (
            "E0003",
            "remove the field or fix its spelling; the expected fields are listed above".into(),
        )
    } else if message.starts_with("missing field") {
        ("E0004", "add the field".into())
    } else if message.starts_with("invalid type") || message.starts_with("invalid value") {
        (
            "E0005",
            "give the field a value of the expected type".into(),
        )
    } else if message.starts_with("unknown variant") {
        ("E0006", "use one of the listed values".into())
    } else {
        ("E0001", "fix the TOML syntax".into())
    }
}
