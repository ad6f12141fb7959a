package web

import (
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/klauspost/compress/gzhttp"
)

// compressedTypes are the responses sent gzipped to a client that takes
// gzip: the service's own texts. A questionnaire page, its stylesheet and
// script shrink to a quarter, which a delegate on a phone abroad feels;
// workbooks, zips and PDFs are compressed already and go as they are.
var compressedTypes = []string{"text/html", "text/css", "text/javascript", "application/javascript", "application/json",
	"application/problem+json", "image/svg+xml", "text/plain", "text/csv"}

// compressed wraps h with gzip for compressedTypes (klauspost/compress's
// gzhttp: it sets Vary, leaves small responses alone, and streams).
func compressed(h http.Handler) http.Handler {
	wrap, err := gzhttp.NewWrapper(gzhttp.ContentTypes(compressedTypes))
	if err != nil {
		panic(err) // the options are constants: a mistake in them is the code's
	}
	return wrap(h)
}

// headAsGet answers HEAD wherever GET is answered — the same status and
// headers, no body — by serving the request as a GET through every
// middleware (so HEAD is never a way round a sign-in) and dropping what
// is written.
func headAsGet(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodHead {
			h.ServeHTTP(w, r)
			return
		}
		get := r.Clone(r.Context())
		get.Method = http.MethodGet
		h.ServeHTTP(bodyless{w}, get)
	})
}

// served is the service's handler: Gin's engine behind HEAD and gzip,
// which still lists its routes (for the test that holds them to the API's
// document).
type served struct {
	http.Handler
	engine *gin.Engine
}

// Routes lists the engine's routes.
func (s served) Routes() gin.RoutesInfo { return s.engine.Routes() }

// bodyless is a response without its body.
type bodyless struct{ http.ResponseWriter }

func (b bodyless) Write(p []byte) (int, error) { return len(p), nil }

// Flush passes a flush on, for a handler that streams.
func (b bodyless) Flush() {
	if f, ok := b.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}
