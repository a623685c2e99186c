//! The permission table: every role, and what it may do in every domain. Each module
//! declares the [`Grant`]s of its domains; the server composes them into the one
//! [`PermissionTable`], which the generic router and every extension route enforce.

use std::collections::HashSet;

use tmf_apis::{AccessPolicy, Actor, Domain, Operation};

/// The roles a token can grant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// Customer service representative: reads everything; creates and changes parties,
    /// customers, party roles, accounts (opened while onboarding a customer), interactions,
    /// orders and tickets.
    Csr,
    /// A CSR who may also approve and delete.
    Supervisor,
    /// A billing system: pushes bills and bill items, raises disputes, reads accounts.
    BillingSystem,
    /// An integration bus: reads everything, registers event listeners.
    Integration,
    /// Everything.
    Admin,
}

impl Role {
    /// Every role.
    pub const ALL: [Role; 5] = [
        Role::Csr,
        Role::Supervisor,
        Role::BillingSystem,
        Role::Integration,
        Role::Admin,
    ];

    /// The role's name in tokens.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Csr => "csr",
            Role::Supervisor => "supervisor",
            Role::BillingSystem => "billing-system",
            Role::Integration => "integration",
            Role::Admin => "admin",
        }
    }

    /// Reads a role name; unknown names grant nothing.
    pub fn parse(name: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|role| role.as_str() == name)
    }
}

/// One row of the permission table, declared by the module that owns `domain`: `role` may
/// perform `operations` there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Grant {
    /// Who.
    pub role: Role,
    /// Where.
    pub domain: Domain,
    /// What.
    pub operations: &'static [Operation],
}

impl Grant {
    /// `role` may perform `operations` in `domain`.
    pub const fn new(role: Role, domain: Domain, operations: &'static [Operation]) -> Self {
        Self {
            role,
            domain,
            operations,
        }
    }
}

/// The permission table: every role, and what it may do in every domain. The server builds
/// it once from the [`Grant`]s each module declares for its domains, over the rules every
/// deployment has whatever its modules:
///
/// - `admin` may do everything;
/// - `csr`, `supervisor` and `integration` read every domain;
/// - a `supervisor` may do whatever a `csr` may;
/// - `integration` registers and removes event listeners (`Hub`).
///
/// An actor may do what any of its roles allows ([`AccessPolicy`]). Unknown role names grant
/// nothing.
#[derive(Debug, Clone, Default)]
pub struct PermissionTable {
    grants: HashSet<(Role, Domain, Operation)>,
}

impl PermissionTable {
    /// The table of the base rules and `grants`.
    pub fn new(grants: impl IntoIterator<Item = Grant>) -> Self {
        let mut table = Self::default();
        let hubs = Grant::new(
            Role::Integration,
            Domain::Hub,
            &[Operation::Create, Operation::Delete],
        );
        for grant in grants.into_iter().chain([hubs]) {
            for operation in grant.operations {
                table.grants.insert((grant.role, grant.domain, *operation));
            }
        }
        table
    }

    /// Whether `role` may perform `operation` in `domain`.
    pub fn allows(&self, role: Role, domain: Domain, operation: Operation) -> bool {
        let granted = |role| self.grants.contains(&(role, domain, operation));
        match role {
            Role::Admin => true,
            Role::Csr | Role::Integration => operation == Operation::Read || granted(role),
            Role::Supervisor => self.allows(Role::Csr, domain, operation) || granted(role),
            Role::BillingSystem => granted(role),
        }
    }
}

impl AccessPolicy for PermissionTable {
    fn permits(&self, actor: &Actor, domain: Domain, operation: Operation) -> bool {
        actor
            .roles
            .iter()
            .filter_map(|name| Role::parse(name))
            .any(|role| self.allows(role, domain, operation))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Operation::*;

    fn actor(roles: &[&str]) -> Actor {
        Actor {
            subject: "u".into(),
            roles: roles.iter().map(|r| (*r).to_owned()).collect(),
        }
    }

    fn table() -> PermissionTable {
        PermissionTable::new([
            Grant::new(Role::Csr, Domain::Customer, &[Create, Update]),
            Grant::new(Role::Supervisor, Domain::Customer, &[Delete]),
            Grant::new(Role::BillingSystem, Domain::Account, &[Read]),
            Grant::new(Role::Supervisor, Domain::Ticket, &[Approve]),
        ])
    }

    #[test]
    fn the_table_is_the_base_rules_and_the_grants() {
        let policy = table();
        assert!(policy.permits(&actor(&["csr"]), Domain::Customer, Update));
        assert!(!policy.permits(&actor(&["csr"]), Domain::Customer, Delete));
        assert!(policy.permits(&actor(&["supervisor"]), Domain::Customer, Delete));
        assert!(policy.permits(&actor(&["supervisor"]), Domain::Customer, Create));
        assert!(policy.permits(&actor(&["supervisor"]), Domain::Ticket, Approve));
        assert!(!policy.permits(&actor(&["csr"]), Domain::Ticket, Approve));
        assert!(!policy.permits(&actor(&["billing-system"]), Domain::Party, Read));
        assert!(policy.permits(&actor(&["billing-system"]), Domain::Account, Read));
        assert!(policy.permits(&actor(&["integration"]), Domain::Hub, Create));
        assert!(policy.permits(&actor(&["integration"]), Domain::Party, Read));
        assert!(!policy.permits(&actor(&["integration"]), Domain::Party, Create));
        assert!(policy.permits(&actor(&["admin"]), Domain::Sla, Delete));
        assert!(!policy.permits(&actor(&["root", ""]), Domain::Party, Read));
        assert!(policy.permits(&actor(&["integration", "csr"]), Domain::Customer, Create));
    }

    #[test]
    fn a_domain_without_grants_is_only_read_and_only_by_the_reading_roles() {
        let policy = PermissionTable::new([]);
        for role in [Role::Csr, Role::Supervisor, Role::Integration] {
            assert!(policy.allows(role, Domain::Loyalty, Read));
            for operation in [Create, Update, Delete, Approve] {
                assert!(!policy.allows(role, Domain::Loyalty, operation));
            }
        }
        assert!(!policy.allows(Role::BillingSystem, Domain::Loyalty, Read));
    }

    #[test]
    fn role_names_round_trip() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
    }
}
