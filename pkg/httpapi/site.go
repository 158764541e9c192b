package httpapi

import (
	"io/fs"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/aduan/aduan/web"
)

// siteRoutes serves the landing page at / until the console's login page
// takes its place. The page is written from memory rather than through
// http.FileServer: the file server answers any request for ".../index.html"
// with a redirect to "./", which for the page served at / is a redirect to
// itself.
func (s *Server) siteRoutes(r *gin.Engine) {
	page, err := fs.ReadFile(web.Static, "static/index.html")
	if err != nil {
		panic("httpapi: web/static/index.html is not embedded: " + err.Error())
	}
	serve := func(c *gin.Context) {
		c.Header("Cache-Control", "no-cache")
		c.Data(http.StatusOK, "text/html; charset=utf-8", page)
	}
	r.GET("/", serve)
	r.HEAD("/", serve)
	// Old links and habits ask for the file by name: one step to the page.
	toRoot := func(c *gin.Context) { c.Redirect(http.StatusMovedPermanently, "/") }
	r.GET("/index.html", toRoot)
	r.HEAD("/index.html", toRoot)
}
