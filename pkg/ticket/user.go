package ticket

import (
	"slices"
	"time"
)

// Role decides what a user may do.
type Role string

// The roles, least powerful first.
const (
	RoleAgent      Role = "agent"      // works tickets
	RoleSupervisor Role = "supervisor" // also assigns work, manages agents, reads reports
	RoleAdmin      Role = "admin"      // also manages users and sees quarantined mail
)

// Roles lists every role, least powerful first.
var Roles = []Role{RoleAgent, RoleSupervisor, RoleAdmin}

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return slices.Contains(Roles, r) }

// AtLeast reports whether r has every permission of min.
func (r Role) AtLeast(min Role) bool { return slices.Index(Roles, r) >= slices.Index(Roles, min) }

// Presence says whether an agent can take work now.
type Presence string

// The presences of an agent.
const (
	PresenceAvailable Presence = "available"
	PresenceAway      Presence = "away"
	PresenceOffline   Presence = "offline"
)

// Valid reports whether p is a known presence.
func (p Presence) Valid() bool {
	return p == PresenceAvailable || p == PresenceAway || p == PresenceOffline
}

// User is a person who works in Aduan: an agent, a supervisor or an admin.
type User struct {
	ID        int64
	Email     string
	Name      string
	Role      Role
	Queues    []string // the queues an agent serves; empty means every queue
	Capacity  int      // most open tickets at once
	Presence  Presence
	CreatedAt time.Time
	// DisabledAt is when the user was disabled (they left the desk): they
	// can no longer log in and none of their sessions works. Nil when active.
	DisabledAt *time.Time
}

// DefaultCapacity is how many open tickets a new agent may hold.
const DefaultCapacity = 20
