//! TMF666 Account Management: party, billing, settlement and financial accounts (one table,
//! one kind each), and the billing settings they point at (cycle specifications, bill
//! formats, presentation media).

use crm_store::{Erasure, Reference, ResourceKind, StoredType};
use serde::Serialize;
use serde::de::DeserializeOwned;
use sid_model::{
    AccountRelatedParty, AccountRelationship, AccountState, BillStructure, Contact,
    FinancialAccount, FinancialAccountRef, Lifecycle, PartyAccount, check_create, check_move,
};
use tmf_apis::{RequestContext, ResourceDescriptor, TmfResult};
use validator::Validate;

use crate::contact;
use crate::error::InformationError;
use crate::resources::PARTIES_AND_ROLES;

const ACCOUNT_TABLE: &str = "account";
const SETTING_TABLE: &str = "billing_setting";

/// TMF666 `partyAccount`.
pub const PARTY_ACCOUNT: StoredType = StoredType {
    table: ACCOUNT_TABLE,
    kind: "PartyAccount",
};
/// TMF666 `billingAccount`.
pub const BILLING_ACCOUNT: StoredType = StoredType {
    table: ACCOUNT_TABLE,
    kind: "BillingAccount",
};
/// TMF666 `settlementAccount`.
pub const SETTLEMENT_ACCOUNT: StoredType = StoredType {
    table: ACCOUNT_TABLE,
    kind: "SettlementAccount",
};
/// TMF666 `financialAccount`.
pub const FINANCIAL_ACCOUNT: StoredType = StoredType {
    table: ACCOUNT_TABLE,
    kind: "FinancialAccount",
};
/// TMF666 `billingCycleSpecification`.
pub const BILLING_CYCLE_SPECIFICATION: StoredType = StoredType {
    table: SETTING_TABLE,
    kind: "BillingCycleSpecification",
};
/// TMF666 `billFormat`.
pub const BILL_FORMAT: StoredType = StoredType {
    table: SETTING_TABLE,
    kind: "BillFormat",
};
/// TMF666 `billPresentationMedia`.
pub const BILL_PRESENTATION_MEDIA: StoredType = StoredType {
    table: SETTING_TABLE,
    kind: "BillPresentationMedia",
};

/// Every account type, for references to "an account".
pub(crate) const ACCOUNTS: &[&str] = &[
    "PartyAccount",
    "BillingAccount",
    "SettlementAccount",
    "FinancialAccount",
];

/// What every TMF666 account has in common, for one implementation of its rules.
pub(crate) trait Account:
    Serialize + DeserializeOwned + Validate + Send + Sync + 'static
{
    fn related_party(&self) -> &[AccountRelatedParty];
    fn state(&self) -> Option<&str>;
    fn set_state(&mut self, state: Option<String>);
    fn relationships(&self) -> &[AccountRelationship];
    fn contacts_mut(&mut self) -> Option<&mut Vec<Contact>>;
    fn financial_account(&self) -> Option<&FinancialAccountRef> {
        None
    }
    fn bill_structure(&self) -> Option<&BillStructure> {
        None
    }
}

macro_rules! party_like_account {
    ($model:ty) => {
        impl Account for $model {
            fn related_party(&self) -> &[AccountRelatedParty] {
                &self.related_party
            }
            fn state(&self) -> Option<&str> {
                self.state.as_deref()
            }
            fn set_state(&mut self, state: Option<String>) {
                self.state = state;
            }
            fn relationships(&self) -> &[AccountRelationship] {
                self.account_relationship.as_deref().unwrap_or_default()
            }
            fn contacts_mut(&mut self) -> Option<&mut Vec<Contact>> {
                self.contact.as_mut()
            }
            fn financial_account(&self) -> Option<&FinancialAccountRef> {
                self.financial_account.as_ref()
            }
            fn bill_structure(&self) -> Option<&BillStructure> {
                self.bill_structure.as_ref()
            }
        }
    };
}

party_like_account!(PartyAccount);

impl Account for FinancialAccount {
    fn related_party(&self) -> &[AccountRelatedParty] {
        self.related_party.as_deref().unwrap_or_default()
    }
    fn state(&self) -> Option<&str> {
        self.state.as_deref()
    }
    fn set_state(&mut self, state: Option<String>) {
        self.state = state;
    }
    fn relationships(&self) -> &[AccountRelationship] {
        self.account_relationship.as_deref().unwrap_or_default()
    }
    fn contacts_mut(&mut self) -> Option<&mut Vec<Contact>> {
        self.contact.as_mut()
    }
}

/// An account resource kind.
pub(crate) struct AccountKind<M> {
    pub(crate) descriptor: ResourceDescriptor,
    pub(crate) stored: StoredType,
    pub(crate) _model: std::marker::PhantomData<fn() -> M>,
}

impl<M: Account> ResourceKind for AccountKind<M> {
    type Model = M;

    fn descriptor(&self) -> &ResourceDescriptor {
        &self.descriptor
    }

    fn completes_reference_names(&self) -> bool {
        // TMF666 requires the name of an account's related party.
        true
    }

    fn stored_type(&self) -> StoredType {
        self.stored
    }

    fn references(&self, model: &M) -> Vec<Reference> {
        let mut references: Vec<Reference> = model
            .related_party()
            .iter()
            .enumerate()
            .map(|(i, party)| Reference {
                path: format!("relatedParty[{i}]"),
                id: party.id.clone(),
                referred_type: party.referred_type.clone(),
                allowed: PARTIES_AND_ROLES,
            })
            .collect();
        for (i, relationship) in model.relationships().iter().enumerate() {
            if let Some(account) = &relationship.account {
                references.push(Reference {
                    path: format!("accountRelationship[{i}].account"),
                    id: account.id.clone(),
                    referred_type: None,
                    allowed: ACCOUNTS,
                });
            }
        }
        if let Some(financial) = model.financial_account() {
            references.push(Reference {
                path: "financialAccount".into(),
                id: financial.id.clone(),
                referred_type: None,
                allowed: &["FinancialAccount"],
            });
        }
        if let Some(structure) = model.bill_structure() {
            let by_reference = |path: String, is_ref: bool, id: &Option<String>, kind| {
                is_ref.then(|| id.clone()).flatten().map(|id| Reference {
                    path,
                    id,
                    referred_type: None,
                    allowed: kind,
                })
            };
            if let Some(cycle) = &structure.cycle_specification {
                references.extend(by_reference(
                    "billStructure.cycleSpecification".into(),
                    cycle.is_ref,
                    &cycle.id,
                    &["BillingCycleSpecification"],
                ));
            }
            if let Some(format) = &structure.format {
                references.extend(by_reference(
                    "billStructure.format".into(),
                    format.is_ref,
                    &format.id,
                    &["BillFormat"],
                ));
            }
            for (i, media) in structure
                .presentation_media
                .as_deref()
                .unwrap_or_default()
                .iter()
                .enumerate()
            {
                references.extend(by_reference(
                    format!("billStructure.presentationMedia[{i}]"),
                    media.is_ref,
                    &media.id,
                    &["BillPresentationMedia"],
                ));
            }
        }
        references
    }

    /// Erasure keeps states, dates, amounts and references (names masked), and the kinds of
    /// account, balance, relationship and payment plan; masks the account name (often the
    /// holder's); removes contacts, descriptions and all other text.
    fn erasure(&self) -> Option<Erasure> {
        Some(Erasure {
            keep: &[
                "accountType",
                "paymentStatus",
                "balanceType",
                "relationshipType",
                "planType",
                "paymentFrequency",
            ],
            erase: &[],
        })
    }

    /// Enforces the account lifecycle; normalises contact media. A balance's `balanceType` is
    /// a free string (TMF666): the kinds this CRM keeps itself are `model::BALANCE_TYPES`.
    fn prepare(&self, _ctx: &RequestContext, previous: Option<&M>, model: &mut M) -> TmfResult<()> {
        Ok(account_rules(self.descriptor.type_name, previous, model)?)
    }
}

/// The rules of a write of an account of type `type_name`: contact media checked and
/// normalised, and the account lifecycle (a known state, a legal start, a legal step).
fn account_rules<M: Account>(
    type_name: &'static str,
    previous: Option<&M>,
    model: &mut M,
) -> Result<(), InformationError> {
    if let Some(contacts) = model.contacts_mut() {
        for contact in contacts.iter_mut() {
            contact::party_media(contact.contact_medium.as_mut())?;
        }
    }
    let parse = |value: &str| {
        AccountState::parse(value).ok_or_else(|| InformationError::UnknownAccountState {
            given: value.to_owned(),
        })
    };
    let before = previous.and_then(|p| p.state()).map(parse).transpose()?;
    let requested = match (model.state().map(str::to_owned), before) {
        (Some(value), _) => {
            parse(&value)?;
            value
        }
        (None, Some(current)) => current.as_str().to_owned(),
        (None, None) => AccountState::INITIAL.as_str().to_owned(),
    };
    let target = parse(&requested)?;
    match before {
        None => check_create(target),
        Some(current) => check_move(current, target),
    }
    .map_err(|refused| InformationError::AccountLifecycle(refused.of(type_name)))?;
    model.set_state(Some(requested));
    Ok(())
}

/// A billing setting resource kind (no references, no lifecycle).
pub(crate) struct SettingKind<M> {
    pub(crate) descriptor: ResourceDescriptor,
    pub(crate) stored: StoredType,
    pub(crate) _model: std::marker::PhantomData<fn() -> M>,
}

impl<M> ResourceKind for SettingKind<M>
where
    M: Serialize + DeserializeOwned + Validate + Send + Sync + 'static,
{
    type Model = M;

    fn descriptor(&self) -> &ResourceDescriptor {
        &self.descriptor
    }

    fn completes_reference_names(&self) -> bool {
        // TMF666 requires the name of an account's related party.
        true
    }

    fn stored_type(&self) -> StoredType {
        self.stored
    }
}
