"""The tenant's Entra ID plan, from its subscribed SKUs (DESIGN section 4, "Licence plan")."""
from __future__ import annotations

from checker.model import Plan, SubscribedSku, Tenant

AAD_PREMIUM_P2 = ("eec0eb4f-6444-4f95-aba0-50c24d67f998", "AAD_PREMIUM_P2")
AAD_PREMIUM_P1 = ("41781fb2-bc02-4b7c-bd55-b576c07bb09d", "AAD_PREMIUM")
_ACTIVE_SKU_STATES = {"enabled", "warning"}


def plan_of(tenant: Tenant) -> Plan:
    if tenant.subscribed_skus is None:
        return Plan.UNKNOWN
    active = [sku for sku in tenant.subscribed_skus if sku.capability_status.lower() in _ACTIVE_SKU_STATES]
    if any(_provisions(sku, AAD_PREMIUM_P2) for sku in active):
        return Plan.P2
    if any(_provisions(sku, AAD_PREMIUM_P1) for sku in active):
        return Plan.P1
    return Plan.FREE


def premium_skus(tenant: Tenant) -> list[SubscribedSku]:
    """The active SKUs that bring P1 or P2, to cite as evidence."""
    return [
        sku for sku in tenant.subscribed_skus or ()
        if sku.capability_status.lower() in _ACTIVE_SKU_STATES
        and (_provisions(sku, AAD_PREMIUM_P2) or _provisions(sku, AAD_PREMIUM_P1))
    ]


def _provisions(sku: SubscribedSku, plan: tuple[str, str]) -> bool:
    plan_id, plan_name = plan
    return any(
        (service.service_plan_id == plan_id or service.service_plan_name.upper() == plan_name)
        and service.provisioning_status.lower() == "success"
        for service in sku.service_plans
    )
