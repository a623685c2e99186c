//! The four resources of the shared party model and the references each holds.

use std::sync::Arc;

use crm_store::{Erasure, Reference, ResourceKind, StoredType};
use serde_json::Value;
use sid_model::{
    Customer, CustomerStatus, Individual, Lifecycle, Organization, PartyRole, RelatedParty,
    check_create, check_move,
};
use tmf_apis::catalog::CatalogError;
use tmf_apis::{Domain, FieldCatalog, ResourceDescriptor};
use tmf_apis::{RequestContext, TmfResult};

use crate::contact;
use crate::error::InformationError;
use crate::search;
use crate::spec;

/// Individuals live in the party table.
pub const INDIVIDUAL: StoredType = StoredType {
    table: "party",
    kind: "Individual",
};
/// Organizations live in the party table too: a party is stored once, whatever its kind.
pub const ORGANIZATION: StoredType = StoredType {
    table: "party",
    kind: "Organization",
};
/// Customers (TMF629), a party role.
pub const CUSTOMER: StoredType = StoredType {
    table: "customer",
    kind: "Customer",
};
/// Other party roles (TMF669).
pub const PARTY_ROLE: StoredType = StoredType {
    table: "party_role",
    kind: "PartyRole",
};

const PARTY_BASE: &str = "/tmf-api/party/v4/";
const CUSTOMER_BASE: &str = "/tmf-api/customerManagement/v4/";
const PARTY_ROLE_BASE: &str = "/tmf-api/partyRoleManagement/v4/";

/// What erasure keeps of a customer or party role beyond the shared rule (its state,
/// validity, credit profile and references with names masked): the names of its
/// characteristics. Its name is masked; contact media, status reason and all other text go.
const ROLE_ERASURE: Erasure = Erasure {
    keep: &["characteristic.name", "characteristic.valueType"],
    erase: &[],
};

/// What an engaged party may be.
const PARTIES: &[&str] = &["Individual", "Organization"];
/// What a related party may be: a party, or a party in a role.
pub(crate) const PARTIES_AND_ROLES: &[&str] =
    &["Individual", "Organization", "Customer", "PartyRole"];
const ORGANIZATIONS: &[&str] = &["Organization"];

pub(crate) fn descriptor(
    spec: Arc<Value>,
    base_path: &'static str,
    name: &'static str,
    type_name: &'static str,
    domain: Domain,
) -> Result<ResourceDescriptor, CatalogError> {
    ResourceDescriptor::from_spec(spec, base_path, name, type_name, domain)
}

fn related_parties(parties: Option<&[RelatedParty]>) -> impl Iterator<Item = Reference> + '_ {
    Reference::related_parties(parties, PARTIES_AND_ROLES)
}

fn engaged_party(party: &RelatedParty) -> Reference {
    Reference {
        path: "engagedParty".into(),
        id: party.id.clone(),
        referred_type: party.referred_type.clone(),
        allowed: PARTIES,
    }
}

/// The resource kinds, with their descriptors read from the shipped specs.
pub(crate) struct Kinds {
    pub(crate) individual: IndividualKind,
    pub(crate) organization: OrganizationKind,
    pub(crate) customer: CustomerKind,
    pub(crate) party_role: PartyRoleKind,
}

/// Adds search attributes to a descriptor's catalogue.
fn searchable(
    mut descriptor: ResourceDescriptor,
    extend: impl FnOnce(&mut FieldCatalog),
) -> ResourceDescriptor {
    let mut catalog = (*descriptor.catalog).clone();
    extend(&mut catalog);
    descriptor.catalog = Arc::new(catalog);
    descriptor
}

impl Kinds {
    pub(crate) fn load() -> Result<Self, CatalogError> {
        Ok(Self {
            individual: IndividualKind(searchable(
                descriptor(
                    spec::party(),
                    PARTY_BASE,
                    "individual",
                    "Individual",
                    Domain::Party,
                )?,
                search::add_search_attributes,
            )),
            organization: OrganizationKind(searchable(
                descriptor(
                    spec::party(),
                    PARTY_BASE,
                    "organization",
                    "Organization",
                    Domain::Party,
                )?,
                search::add_search_attributes,
            )),
            customer: CustomerKind(searchable(
                descriptor(
                    spec::customer(),
                    CUSTOMER_BASE,
                    "customer",
                    "Customer",
                    Domain::Customer,
                )?,
                |c| {
                    search::add_search_attributes(c);
                    search::add_account_attribute(c);
                },
            )),
            party_role: PartyRoleKind(descriptor(
                spec::party_role(),
                PARTY_ROLE_BASE,
                "partyRole",
                "PartyRole",
                Domain::PartyRole,
            )?),
        })
    }
}

/// TMF632 `individual`.
pub(crate) struct IndividualKind(ResourceDescriptor);

impl ResourceKind for IndividualKind {
    type Model = Individual;

    fn descriptor(&self) -> &ResourceDescriptor {
        &self.0
    }

    fn stored_type(&self) -> StoredType {
        INDIVIDUAL
    }

    fn references(&self, model: &Individual) -> Vec<Reference> {
        related_parties(model.related_party.as_deref()).collect()
    }

    fn prepare(
        &self,
        _ctx: &RequestContext,
        _previous: Option<&Individual>,
        model: &mut Individual,
    ) -> TmfResult<()> {
        Ok(contact::party_media(model.contact_medium.as_mut()).map_err(InformationError::from)?)
    }

    fn erasure(&self) -> Option<Erasure> {
        // Everything of an individual is personal: beyond its state and references, its
        // dates and numbers go too. Its required names are masked.
        Some(Erasure {
            keep: &[],
            erase: &[
                "birthDate",
                "deathDate",
                "creditRating",
                "partyCharacteristic",
            ],
        })
    }

    fn search_keys(&self, model: &Individual) -> Vec<(&'static str, String)> {
        let mut keys = search::name_keys(
            &[
                Some(model.given_name.as_str()),
                Some(model.family_name.as_str()),
                model.preferred_given_name.as_deref(),
                model.middle_name.as_deref(),
                model.legal_name.as_deref(),
                model.formatted_name.as_deref(),
                model.full_name.as_deref(),
            ],
            &[
                (
                    Some(model.given_name.as_str()),
                    Some(model.family_name.as_str()),
                ),
                (
                    model.preferred_given_name.as_deref(),
                    Some(model.family_name.as_str()),
                ),
            ],
        );
        keys.extend(search::party_media_keys(model.contact_medium.as_deref()));
        keys
    }

    fn normalise_search(&self, key: &str, value: &str) -> TmfResult<String> {
        Ok(search::normalise(key, value)?)
    }
}

/// TMF632 `organization`.
pub(crate) struct OrganizationKind(ResourceDescriptor);

impl ResourceKind for OrganizationKind {
    type Model = Organization;

    fn descriptor(&self) -> &ResourceDescriptor {
        &self.0
    }

    fn stored_type(&self) -> StoredType {
        ORGANIZATION
    }

    fn prepare(
        &self,
        _ctx: &RequestContext,
        _previous: Option<&Organization>,
        model: &mut Organization,
    ) -> TmfResult<()> {
        Ok(contact::party_media(model.contact_medium.as_mut()).map_err(InformationError::from)?)
    }

    fn search_keys(&self, model: &Organization) -> Vec<(&'static str, String)> {
        let mut keys = search::name_keys(
            &[Some(model.trading_name.as_str()), model.name.as_deref()],
            &[],
        );
        keys.extend(search::party_media_keys(model.contact_medium.as_deref()));
        keys
    }

    fn normalise_search(&self, key: &str, value: &str) -> TmfResult<String> {
        Ok(search::normalise(key, value)?)
    }

    fn references(&self, model: &Organization) -> Vec<Reference> {
        let mut references: Vec<Reference> =
            related_parties(model.related_party.as_deref()).collect();
        if let Some(parent) = model
            .organization_parent_relationship
            .as_ref()
            .and_then(|r| r.organization.as_ref())
        {
            references.push(Reference {
                path: "organizationParentRelationship.organization".into(),
                id: parent.id.clone(),
                referred_type: None,
                allowed: ORGANIZATIONS,
            });
        }
        for (i, child) in model
            .organization_child_relationship
            .as_deref()
            .unwrap_or_default()
            .iter()
            .enumerate()
        {
            if let Some(organization) = &child.organization {
                references.push(Reference {
                    path: format!("organizationChildRelationship[{i}].organization"),
                    id: organization.id.clone(),
                    referred_type: None,
                    allowed: ORGANIZATIONS,
                });
            }
        }
        references
    }
}

/// TMF629 `customer`.
pub(crate) struct CustomerKind(ResourceDescriptor);

impl ResourceKind for CustomerKind {
    type Model = Customer;

    fn descriptor(&self) -> &ResourceDescriptor {
        &self.0
    }

    fn stored_type(&self) -> StoredType {
        CUSTOMER
    }

    fn references(&self, model: &Customer) -> Vec<Reference> {
        std::iter::once(engaged_party(&model.engaged_party))
            .chain(related_parties(model.related_party.as_deref()))
            .collect()
    }

    fn erasure(&self) -> Option<Erasure> {
        Some(ROLE_ERASURE)
    }

    /// A CSR's list of active customers, alone or narrowing a name search, reads the index.
    fn indexed_attributes(&self) -> &'static [(&'static str, &'static str)] {
        &[("status", "status")]
    }

    fn search_keys(&self, model: &Customer) -> Vec<(&'static str, String)> {
        let mut keys = search::name_keys(&[Some(model.name.as_str())], &[]);
        keys.extend(search::role_media_keys(model.contact_medium.as_deref()));
        keys
    }

    fn normalise_search(&self, key: &str, value: &str) -> TmfResult<String> {
        Ok(search::normalise(key, value)?)
    }

    /// Normalises contact media and enforces the customer lifecycle: a known state, a
    /// legal start, a legal step.
    fn prepare(
        &self,
        _ctx: &RequestContext,
        previous: Option<&Customer>,
        model: &mut Customer,
    ) -> TmfResult<()> {
        Ok(customer_rules(previous, model)?)
    }
}

/// The rules of a customer write: contact media checked and normalised, and the customer
/// lifecycle (a known state, a legal start, a legal step).
fn customer_rules(
    previous: Option<&Customer>,
    model: &mut Customer,
) -> Result<(), InformationError> {
    contact::role_media(model.contact_medium.as_mut())?;
    let parse = |value: &str| {
        CustomerStatus::parse(value).ok_or_else(|| InformationError::UnknownCustomerStatus {
            given: value.to_owned(),
        })
    };
    let before = previous
        .and_then(|p| p.status.as_deref())
        .map(parse)
        .transpose()?;
    let requested = match (model.status.as_deref(), before) {
        (Some(value), _) => parse(value)?,
        // A patch that removes the status keeps the current one.
        (None, Some(current)) => current,
        (None, None) => CustomerStatus::INITIAL,
    };
    match before {
        None => check_create(requested),
        Some(current) => check_move(current, requested),
    }
    .map_err(InformationError::CustomerLifecycle)?;
    model.status = Some(requested.as_str().to_owned());
    Ok(())
}

/// TMF669 `partyRole`.
pub(crate) struct PartyRoleKind(ResourceDescriptor);

impl ResourceKind for PartyRoleKind {
    type Model = PartyRole;

    fn descriptor(&self) -> &ResourceDescriptor {
        &self.0
    }

    fn stored_type(&self) -> StoredType {
        PARTY_ROLE
    }

    fn erasure(&self) -> Option<Erasure> {
        Some(ROLE_ERASURE)
    }

    fn prepare(
        &self,
        _ctx: &RequestContext,
        _previous: Option<&PartyRole>,
        model: &mut PartyRole,
    ) -> TmfResult<()> {
        Ok(contact::role_media(model.contact_medium.as_mut()).map_err(InformationError::from)?)
    }

    fn references(&self, model: &PartyRole) -> Vec<Reference> {
        model
            .engaged_party
            .iter()
            .map(engaged_party)
            .chain(related_parties(model.related_party.as_deref()))
            .collect()
    }
}
