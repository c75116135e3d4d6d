package configs

import (
	"embed"
	"io/fs"
)

// NLP holds the lexicons, phrase lists, weights and the learned layer's
// model (model.json) of the NLP stage, under
// the nlp/ directory (see nlp.LoadConfig).
//
//go:embed nlp/*.yaml nlp/*.json
var NLP embed.FS

// NLPFS returns the NLP configuration with its files at the root, as
// nlp.LoadConfig expects.
func NLPFS() fs.FS {
	sub, err := fs.Sub(NLP, "nlp")
	if err != nil {
		// fs.Sub fails only on an invalid path; "nlp" is valid.
		panic(err)
	}
	return sub
}
