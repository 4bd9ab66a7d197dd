package frontend

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"path"

	"github.com/gofiber/fiber/v2"

	"pacer/errs"
)

//go:embed static
var staticFS embed.FS

// asset is one embedded file with its content hash.
type asset struct {
	body  []byte
	hash  string
	ctype string
}

// assets are the embedded static files, served at /static/<hash>/<name>.
// The hash in the URL changes whenever the file does, so answers can be
// cached for a year; a URL with an old hash is 404, never stale content.
type assets struct {
	files map[string]asset
}

// assetTypes lists the only file types served; anything else in static/
// is a mistake and fails at start.
var assetTypes = map[string]string{
	".css":   "text/css; charset=utf-8",
	".js":    "text/javascript; charset=utf-8",
	".svg":   "image/svg+xml",
	".png":   "image/png",
	".woff2": "font/woff2",
}

func loadAssets() (*assets, error) {
	a := &assets{files: map[string]asset{}}
	err := fs.WalkDir(staticFS, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		ctype, ok := assetTypes[path.Ext(p)]
		if !ok {
			return fs.ErrInvalid
		}
		body, err := staticFS.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(body)
		name := p[len("static/"):]
		a.files[name] = asset{body: body, hash: hex.EncodeToString(sum[:6]), ctype: ctype}
		return nil
	})
	return a, err
}

// url is the cache-busting address of an asset; templates call it as
// {{asset "app.css"}}. An unknown name is a template bug and panics at
// render time, which tests catch.
func (a *assets) url(name string) (string, error) {
	f, ok := a.files[name]
	if !ok {
		return "", errs.NotFoundf("asset " + name)
	}
	return "/static/" + f.hash + "/" + name, nil
}

func (a *assets) serve(c *fiber.Ctx) error {
	f, ok := a.files[c.Params("name")]
	if !ok || c.Params("hash") != f.hash {
		return errs.NotFoundf("file")
	}
	c.Set(fiber.HeaderContentType, f.ctype)
	c.Set(fiber.HeaderCacheControl, "public, max-age=31536000, immutable")
	return c.Send(f.body)
}

// favicon answers browsers that ask for /favicon.ico despite the icon link.
func (a *assets) favicon(c *fiber.Ctx) error {
	u, err := a.url("icon.svg")
	if err != nil {
		return err
	}
	return c.Redirect(u, fiber.StatusMovedPermanently)
}
