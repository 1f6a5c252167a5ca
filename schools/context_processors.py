from schools.models import LocalAuthority
from schools.roles import Capability


def service(request):
    """Service and LA names for the header, and what the navigation may show this user."""
    if not hasattr(request, "_local_authority"):
        request._local_authority = LocalAuthority.current()
    la = request._local_authority
    user = getattr(request, "user", None)
    return {
        "local_authority": la,
        "service_name": la.service_name if la else "Attendance and inclusion casework",
        "can_read_audit": bool(user and user.is_authenticated and user.can(Capability.READ_AUDIT)),
        "can_edit_pupils": bool(user and user.is_authenticated and user.can(Capability.EDIT_PUPILS)),
    }
