package httpapi

import (
	"context"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/aduan/aduan/pkg/store"
	"github.com/aduan/aduan/pkg/ticket"
)

// MailLists gives admins the mail that became no ticket.
type MailLists interface {
	IgnoredMails(ctx context.Context, beforeID int64, limit int) ([]store.IgnoredMail, error)
	QuarantinedMails(ctx context.Context, beforeID int64, limit int) ([]store.QuarantinedMail, error)
}

// listIgnoredMail shows automatic mail (auto-replies, bulk, bounces) that
// belonged to no ticket: kept, never answered.
func (s *Server) listIgnoredMail(c *gin.Context) {
	listMail(s, c, s.cfg.Mail.IgnoredMails, func(m store.IgnoredMail) int64 { return m.ID })
}

// listQuarantinedMail shows mail that could not be taken in, with why.
func (s *Server) listQuarantinedMail(c *gin.Context) {
	listMail(s, c, s.cfg.Mail.QuarantinedMails, func(m store.QuarantinedMail) int64 { return m.ID })
}

func listMail[T any](s *Server, c *gin.Context, list func(context.Context, int64, int) ([]T, error), id func(T) int64) {
	limit, before := 25, int64(0)
	errs := ticket.FieldErrors{}
	if v := c.Query("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100 {
			errs.Add("limit", "limit harus angka 1 sampai 100")
		}
		limit = n
	}
	if v := c.Query("cursor"); v != "" {
		var ok bool
		if before, ok = decodeCursor(v); !ok {
			errs.Add("cursor", "cursor tidak valid; pakai next_cursor dari halaman sebelumnya")
		}
	}
	if err := errs.Err(); err != nil {
		s.fail(c, err)
		return
	}
	items, err := list(c.Request.Context(), before, limit+1)
	if err != nil {
		s.fail(c, err)
		return
	}
	var next *string
	if len(items) > limit {
		items = items[:limit]
		cur := encodeCursor(id(items[limit-1]))
		next = &cur
	}
	if items == nil {
		items = []T{}
	}
	c.JSON(http.StatusOK, gin.H{"items": items, "next_cursor": next})
}
