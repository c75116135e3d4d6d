package smtp_test

import (
	"context"
	"fmt"

	"github.com/triage-gw/triage/channels/smtp"
	"github.com/triage-gw/triage/channels/smtp/smtptest"
)

// Send the acknowledgement that asks for a time to call, over STARTTLS with
// authentication, to the recording test server.
func ExampleSender_Send() {
	relay, err := smtptest.NewServer(smtptest.Options{StartTLS: true, Username: "triage", Password: "secret"})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer relay.Close()

	sender, err := smtp.NewSender(smtp.Config{
		Addr:      relay.Addr(),
		Username:  "triage",
		Password:  "secret",
		From:      "Acme Support <support@acme.example>",
		TLSConfig: relay.ClientTLSConfig(), // trust the test server's certificate
	}, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	err = sender.Send(context.Background(), smtp.Email{
		To:        []string{"Dana <dana@bakery.example>"},
		Subject:   "When may we call you?",
		Text:      "Hello Dana,\nwhen and on which number may we call you about your order?\n",
		Headers:   map[string]string{"Auto-Submitted": "auto-replied"},
		MessageID: "case-4411.ack@acme.example",
	})
	if err != nil {
		fmt.Println(err, "permanent:", smtp.IsPermanent(err))
		return
	}
	m := relay.Messages()[0]
	fmt.Println(m.From, m.To, m.TLS, m.AuthUser)
	// Output: support@acme.example [dana@bakery.example] true triage
}
