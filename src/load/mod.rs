//! Stage 1, load: read `platform.toml`, `services/*.toml` and
//! `releases/*.toml` (with their `*.values.yaml`) into the typed model,
//! keeping every source text for later diagnostics.
//!
//! Every entry of `services/`, `releases/` and `secrets/` is accounted for: a source file
//! is read, anything else there (a directory, a link, a file of another
//! extension, a name that is not UTF-8) is an error, never silently skipped;
//! hidden entries (a leading `.`: editor swap files, `.gitkeep`) are ignored.
//! Files are read in byte order of their names, so the model never depends
//! on the file system's order, and CRLF line endings are read as LF, so the
//! output is the same on every checkout.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use serde::de::DeserializeOwned;

use crate::diag::{Diagnostic, Diagnostics, SourceFile};
use crate::layout::{PLATFORM_FILE, RELEASES_DIR, SECRETS_DIR, SERVICES_DIR, VALUES_SUFFIX};
use crate::model::{PlatformFile, ReleaseFile, ServiceFile};

mod errors;

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
    pub secret_files: BTreeMap<String, SecretFile>,
    /// The Helm releases of `releases/`, in file name order.
    pub releases: Vec<LoadedRelease>,
    /// The values files of `releases/` (`*.values.yaml`), by file name.
    pub values_files: BTreeMap<String, SourceFile>,
}

impl Loaded {
    /// Whether `name` may be a service: a loaded one, or one whose file did
    /// not parse (its errors are reported; nothing else is said about it).
    pub fn may_be_service(&self, name: &str) -> bool {
        self.services.iter().any(|s| s.name == name) || self.unparsed.iter().any(|u| u == name)
    }
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
    let (services, mut unparsed) = load_services(root, &mut diags);
    let secret_files = load_secret_files(root, &mut diags);
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

/// The services, parsed in parallel and merged in name order, and the stems
/// of the files that did not parse.
fn load_services(root: &Path, diags: &mut Diagnostics) -> (Vec<LoadedService>, Vec<String>) {
    let mut services = Vec::new();
    let mut unparsed = Vec::new();
    let Some(names) = source_files(root, SERVICES_DIR, &[".toml"], diags) else {
        diags.push(Diagnostic::file(
            "E0002",
            SERVICES_DIR,
            "cannot read the services directory",
            "create services/ with one <name>.toml per service",
        ));
        return (services, unparsed);
    };
    let parsed = crate::parallel::map(&names, |name| {
        let mut d = Diagnostics::default();
        let source = read(root, &format!("{SERVICES_DIR}/{name}"), &mut d);
        let file = source
            .as_ref()
            .and_then(|s| parse::<ServiceFile>(s, &mut d));
        (source, file, d)
    });
    let mut unparsed_sources = Vec::new();
    for (name, (source, file, d)) in names.iter().zip(parsed) {
        diags.0.extend(d.0);
        let stem = name.trim_end_matches(".toml").to_string();
        match (source, file) {
            (Some(source), Some(file)) => {
                let name = file.name.as_ref().map_or(stem, |n| n.get_ref().clone());
                services.push(LoadedService { source, name, file });
            }
            (source, _) => {
                unparsed.push(stem);
                unparsed_sources.extend(source);
            }
        }
    }
    errors::name_the_ports(diags, &unparsed_sources, &services);
    (services, unparsed)
}

/// The YAML files of `secrets/` (none when the directory does not exist).
fn load_secret_files(root: &Path, diags: &mut Diagnostics) -> BTreeMap<String, SecretFile> {
    let mut secret_files = BTreeMap::new();
    if !root.join(SECRETS_DIR).exists() {
        return secret_files;
    }
    for name in source_files(root, SECRETS_DIR, &[".yaml"], diags).unwrap_or_default() {
        let Some(source) = read(root, &format!("{SECRETS_DIR}/{name}"), diags) else {
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
                    Diagnostic::at("E0001", &source, at..at + 1, first, "fix the YAML syntax")
                        .field(""),
                );
            }
        }
    }
    secret_files
}

/// The release files of `releases/` (a stem that does not parse is recorded
/// in `unparsed`, like a service's), and its values files as text: what
/// they hold is checked later. Nothing when the directory does not exist.
fn load_releases(
    root: &Path,
    diags: &mut Diagnostics,
    unparsed: &mut Vec<String>,
) -> (Vec<LoadedRelease>, BTreeMap<String, SourceFile>) {
    let mut releases = Vec::new();
    let mut values = BTreeMap::new();
    if !root.join(RELEASES_DIR).exists() {
        return (releases, values);
    }
    let names = source_files(root, RELEASES_DIR, &[".toml", VALUES_SUFFIX], diags);
    for name in names.unwrap_or_default() {
        let Some(source) = read(root, &format!("{RELEASES_DIR}/{name}"), diags) else {
            continue;
        };
        let Some(stem) = name.strip_suffix(".toml") else {
            values.insert(name, source);
            continue;
        };
        match parse::<ReleaseFile>(&source, diags) {
            Some(file) => {
                let name = file
                    .name
                    .as_ref()
                    .map_or(stem.to_string(), |n| n.get_ref().clone());
                releases.push(LoadedRelease { source, name, file });
            }
            None => unparsed.push(stem.to_string()),
        }
    }
    (releases, values)
}

/// The regular files of `root/dir` ending in one of `exts`, in byte order;
/// every other entry but hidden ones is an error. None when the directory
/// cannot be read.
fn source_files(
    root: &Path,
    dir: &str,
    exts: &[&str],
    diags: &mut Diagnostics,
) -> Option<Vec<String>> {
    let ext = exts.join("` or `");
    let entries = fs::read_dir(root.join(dir)).ok()?;
    let mut names = Vec::new();
    for e in entries.filter_map(Result::ok) {
        let shown = e.file_name().to_string_lossy().into_owned();
        let rel = format!("{dir}/{shown}");
        let Some(name) = e.file_name().to_str().map(str::to_string) else {
            diags.push(Diagnostic::file(
                "E0020",
                &rel,
                format!("the name of {rel} is not valid UTF-8"),
                "rename it with a UTF-8 name",
            ));
            continue;
        };
        if name.starts_with('.') {
            continue;
        }
        let kind = e.file_type().ok();
        let stem = name.rsplit_once('.').map_or(name.as_str(), |(s, _)| s);
        let problem = if kind.is_some_and(|t| t.is_symlink()) {
            Some((
                format!(
                    "{rel} is a symbolic link; sources must be regular files in the repository"
                ),
                "replace the link with the file itself".to_string(),
            ))
        } else if kind.is_some_and(|t| t.is_dir()) {
            Some((
                format!("{rel} is a directory; the files of {dir}/ sit directly in it"),
                format!("move its files up into {dir}/, or remove it"),
            ))
        } else if !exts.iter().any(|x| name.ends_with(x))
            && exts.iter().any(|x| name.to_lowercase().ends_with(x))
        {
            Some((
                format!("{rel}: the extension must be lower-case `{ext}`"),
                format!("rename it to {dir}/{stem}{}", exts[0]),
            ))
        } else if !exts.iter().any(|x| name.ends_with(x)) {
            Some((
                format!("{rel} is not a `{ext}` file, and {dir}/ holds nothing else"),
                "move it elsewhere (hidden files, whose name starts with `.`, are ignored)"
                    .to_string(),
            ))
        } else {
            None
        };
        match problem {
            Some((message, help)) => diags.push(Diagnostic::file("E0020", &rel, message, help)),
            None => names.push(name),
        }
    }
    names.sort();
    Some(names)
}

fn read(root: &Path, rel: &str, diags: &mut Diagnostics) -> Option<SourceFile> {
    match fs::read(root.join(rel)) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(text) => Some(SourceFile::new(rel.to_string(), text.replace("\r\n", "\n"))),
            Err(e) => {
                let at = e.utf8_error().valid_up_to();
                let lossy = String::from_utf8_lossy(e.as_bytes()).replace("\r\n", "\n");
                let prefix = String::from_utf8_lossy(&e.as_bytes()[..at]).replace("\r\n", "\n");
                let source = SourceFile::new(rel.to_string(), lossy);
                diags.push(
                    Diagnostic::at(
                        "E0002",
                        &source,
                        prefix.len()..prefix.len() + '\u{fffd}'.len_utf8(),
                        format!("not valid UTF-8 (byte {at})"),
                        "save the file as UTF-8",
                    )
                    .field(""),
                );
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
            diags.push(errors::parse_error::<T>(source, &e));
            None
        }
    }
}
