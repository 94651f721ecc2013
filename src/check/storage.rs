//! Storage: the platform's storage class and each service's volume claims.

use std::collections::BTreeSet;

use super::{ServiceCx, one_of, quantity_of, require_label};
use crate::diag::{Diagnostic, Diagnostics, SourceFile};
use crate::model::{PlatformFile, WorkloadKind};
use crate::names::is_dns_label;

pub(super) fn check_platform(file: &SourceFile, p: &PlatformFile, d: &mut Diagnostics) {
    let Some(s) = &p.storage else { return };
    require_label(&s.class, "Kubernetes name", file, d);
    for o in &s.mount_options {
        let v = o.get_ref();
        if v.contains('\n') || v.trim() != v.as_str() || v.is_empty() {
            d.push(Diagnostic::at(
                "E0316",
                file,
                o.span(),
                format!(
                    "mount option {v:?} is not one line of text: the driver receives it verbatim"
                ),
                "write each mount option on one line, without surrounding spaces",
            ));
        }
    }
    one_of(&s.reclaim_policy, &["Retain", "Delete"], file, d);
    one_of(
        &s.volume_binding_mode,
        &["Immediate", "WaitForFirstConsumer"],
        file,
        d,
    );
}

/// Volumes: unique valid names, valid sizes and access modes, claims a
/// DaemonSet's pods can share, and a storage class to claim them from.
pub(super) fn check_service(cx: &ServiceCx<'_>, d: &mut Diagnostics) {
    let (f, src) = (cx.f, cx.src);
    let mut vol_names = BTreeSet::new();
    for v in &f.volumes {
        if !is_dns_label(v.name.get_ref()) || !vol_names.insert(v.name.get_ref().as_str()) {
            d.push(Diagnostic::at(
                "E0011",
                src,
                v.name.span(),
                format!(
                    "volume name `{}` is invalid or used twice",
                    v.name.get_ref()
                ),
                "give each volume a unique lower-case name",
            ));
        }
        quantity_of(src, &v.size, d);
        if v.is_per_pod() {
            if let Some(m) = &v.access_mode {
                d.push(Diagnostic::at(
                    "E0117",
                    src,
                    m.span(),
                    "a per-pod volume is no claim and has no access mode",
                    "remove `access_mode`",
                ));
            }
            continue;
        }
        let mode = v.access_mode.as_ref().map(|m| m.get_ref().as_str());
        if let Some(m) = &v.access_mode {
            one_of(
                m,
                &[
                    "ReadWriteOnce",
                    "ReadWriteOncePod",
                    "ReadWriteMany",
                    "ReadOnlyMany",
                ],
                src,
                d,
            );
        }
        if f.kind() == WorkloadKind::DaemonSet
            && mode != Some("ReadWriteMany")
            && mode != Some("ReadOnlyMany")
        {
            d.push(Diagnostic::at(
                "E0117",
                src,
                v.name.span(),
                "a DaemonSet's pods on every node share this claim, so it must be ReadWriteMany or ReadOnlyMany",
                "set access_mode = \"ReadWriteMany\" (storage that supports it, such as NFS), or per_pod = true for a volume of each pod's own",
            ));
        }
        if cx.ix.platform.storage.is_none() {
            d.push(Diagnostic::at(
                "E0117",
                src,
                v.name.span(),
                "the service declares a volume but platform.toml has no [storage] class",
                "add a [storage] table to platform.toml",
            ));
        }
    }
}
