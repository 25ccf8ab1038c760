// Out-of-line pieces of the store interfaces.
#include "common/store/session.hpp"
#include "common/store/user_store.hpp"

namespace icq::store {

std::string_view auditEventName(AuditEvent event) {
  switch (event) {
    case AuditEvent::login:
      return "login";
    case AuditEvent::logoff:
      return "logoff";
    case AuditEvent::expired:
      return "expired";
    case AuditEvent::replaced:
      return "replaced";
    case AuditEvent::login_refused:
      return "login_refused";
    case AuditEvent::user_created:
      return "user_created";
    case AuditEvent::password_changed:
      return "password_changed";
    case AuditEvent::user_deleted:
      return "user_deleted";
    case AuditEvent::broadcast_permission:
      return "broadcast_permission";
  }
  return "unknown";
}

}  // namespace icq::store
