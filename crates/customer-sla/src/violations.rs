//! TMF623 `slaViolation`: a rule of an active SLA missed, recorded by the server only (clients
//! read it; every write is a 405). A violation is recorded once per rule and subject (what was
//! measured: a ticket, an order, a reported measurement): a measurement's violations are
//! written with it, under its natural key; a ticket's or an order's in the change that
//! resolves, answers or completes it, with the resource locked, after looking for one already
//! recorded (`targets`).

use sid_model::SlaViolation;
use tmf_apis::catalog::CatalogError;
use tmf_apis::{Domain, Methods, ResourceDescriptor};

use crm_store::{Reference, ResourceKind, StoredType};

use crate::measurements::SLA_MEASUREMENT;
use crate::slas::SLA_BASE;

/// Where violations are stored.
pub const SLA_VIOLATION: StoredType = StoredType {
    table: "sla_violation",
    kind: "SlaViolation",
};

/// What a violation may be about.
const SUBJECTS: &[&str] = &["TroubleTicket", "ProductOrder"];

/// What the parties of a violation may be.
const PARTIES: &[&str] = &["Individual", "Organization", "Customer", "PartyRole"];

/// The `slaViolation` resource as stored.
pub struct ViolationKind {
    descriptor: ResourceDescriptor,
}

impl std::fmt::Debug for ViolationKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ViolationKind").finish_non_exhaustive()
    }
}

impl ViolationKind {
    /// The kind, read-only for clients.
    pub fn new() -> Result<Self, CatalogError> {
        let mut descriptor = ResourceDescriptor::from_spec(
            crate::spec::sla_management(),
            SLA_BASE,
            "slaViolation",
            "SlaViolation",
            Domain::Sla,
        )?;
        descriptor.methods = Methods::READ_ONLY;
        Ok(Self { descriptor })
    }
}

impl ResourceKind for ViolationKind {
    type Model = SlaViolation;

    fn descriptor(&self) -> &ResourceDescriptor {
        &self.descriptor
    }

    fn stored_type(&self) -> StoredType {
        SLA_VIOLATION
    }

    fn references(&self, violation: &SlaViolation) -> Vec<Reference> {
        let mut out = vec![Reference {
            path: "sla".into(),
            id: violation.sla.id.clone(),
            referred_type: violation.sla.referred_type.clone(),
            allowed: &["Sla"],
        }];
        out.extend(Reference::related_parties(
            violation.related_party.as_deref(),
            PARTIES,
        ));
        for (i, entity) in violation.related_entity.iter().flatten().enumerate() {
            // A measurement's violation is written in the measurement's own change, before
            // the measurement itself: that reference is the server's, indexed as given.
            if entity.referred_type.as_deref() == Some(SLA_MEASUREMENT.kind) {
                continue;
            }
            out.push(Reference {
                path: format!("relatedEntity[{i}]"),
                id: entity.id.clone(),
                referred_type: entity.referred_type.clone(),
                allowed: SUBJECTS,
            });
        }
        out
    }
}
