package httpapi

import (
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/aduan/aduan/pkg/ticket"
)

// maxReasonLength bounds the reason kept in the audit log.
const maxReasonLength = 500

// disableUser disables a user who left the desk: they can no longer log
// in, every session of theirs ends at once, and their unstarted tickets go
// back to the queues. The audit log records who did it and why.
func (s *Server) disableUser(c *gin.Context) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		s.fail(c, ticket.Errorf(ticket.ENOTFOUND, "Pengguna tidak ditemukan. / User not found."))
		return
	}
	reason, ok := s.revealReason(c)
	if !ok {
		return
	}
	reason = strings.TrimSpace(reason)
	if utf8.RuneCountInString(reason) > maxReasonLength {
		s.fail(c, &ticket.Error{Code: ticket.EINVALID, Message: "Data tidak valid. / Some fields are invalid.",
			Fields: map[string]string{"reason": "alasan paling panjang 500 karakter"}})
		return
	}
	me := actor(c)
	if id == me.ID {
		s.fail(c, ticket.Errorf(ticket.ECONFLICT, "Anda tidak dapat menonaktifkan akun Anda sendiri. / You cannot disable yourself."))
		return
	}
	ctx := c.Request.Context()
	u, err := s.cfg.Users.DisableUser(ctx, id, me.ID, reason)
	if err != nil {
		s.fail(c, err)
		return
	}
	if s.cfg.Queues != nil {
		if _, err := s.cfg.Queues.ReleaseUnstarted(ctx, u.ID); err != nil {
			s.fail(c, err)
			return
		}
	}
	s.log.InfoContext(ctx, "user disabled", "user_id", u.ID, "by", me.ID)
	c.JSON(http.StatusOK, toUserJSON(u))
}

// mayManage reports whether me may change target's settings: nobody
// changes a user of a higher role than their own.
func mayManage(me, target ticket.User) bool { return me.Role.AtLeast(target.Role) }
