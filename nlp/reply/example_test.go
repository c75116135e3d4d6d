package reply_test

import (
	"fmt"

	"github.com/triage-gw/triage/nlp/reply"
)

func ExampleSplit() {
	text := "Still nothing. Please call me today.\n\n" +
		"On Mon, Mar 3, 2025 at 10:00 AM Acme Support <support@acme.test> wrote:\n" +
		"> Your parcel will arrive on Friday.\n" +
		"\n-- \nAnn Lee\n+1 555 0100"
	p := reply.Split(text, "Re: Where is my parcel?")
	fmt.Printf("new text:  %q\nquoted:    %q\nsignature: %q\n", p.NewText, p.Quoted, p.Signature)
	// Output:
	// new text:  "Still nothing. Please call me today."
	// quoted:    "On Mon, Mar 3, 2025 at 10:00 AM Acme Support <support@acme.test> wrote:\n> Your parcel will arrive on Friday."
	// signature: "Ann Lee\n+1 555 0100"
}
