package mail_test

import (
	"fmt"
	"strings"

	"github.com/triage-gw/triage/channels/mail"
)

func ExampleParse() {
	raw := "From: Ann Lee <ann@example.com>\r\n" +
		"To: support@acme.test\r\n" +
		"Subject: Re: Your order\r\n" +
		"Date: Mon, 3 Mar 2025 09:14:58 +0000\r\n" +
		"\r\n" +
		"It still has not arrived. Call me on 555-0100.\r\n" +
		"\r\n" +
		"On Fri, Feb 28, 2025 at 4:02 PM Acme <support@acme.test> wrote:\r\n" +
		"> Your order ships tomorrow.\r\n"
	m, err := mail.Parse(strings.NewReader(raw), mail.Options{})
	if err != nil {
		fmt.Println("quarantine:", err)
		return
	}
	fmt.Println(m.From.Addr)
	fmt.Println(m.NewText)
	fmt.Printf("auto=%q warnings=%d\n", m.Auto, len(m.Warnings))
	// Output:
	// ann@example.com
	// It still has not arrived. Call me on 555-0100.
	// auto="" warnings=0
}
