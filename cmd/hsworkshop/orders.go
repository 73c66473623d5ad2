package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/hsworkshop/hsworkshop/models"
)

// cmdOrders handles "orders mark-paid INVOICE_NUMBER" (staff, from a shell)
// and "orders unpaid" (list invoices awaiting payment).
func cmdOrders(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	if len(args) == 0 {
		return errors.New("usage: hsworkshop orders mark-paid INVOICE_NUMBER | orders unpaid")
	}
	cfg, db, err := openDB(ctx, getenv)
	if err != nil {
		return err
	}
	defer models.Close(db) //nolint:errcheck // closing on exit
	switch args[0] {
	case "unpaid":
		os, err := models.ListOrdersNeedingAction(ctx, db)
		if err != nil {
			return err
		}
		for _, o := range os {
			if o.Status != models.OrderPendingInvoice {
				continue
			}
			fmt.Fprintf(stdout, "%s\t%s\t%s\tdue %s\t%s\n", *o.InvoiceNumber, o.Number(), o.Total(), o.InvoiceDueAt.Format("2006-01-02"), o.BuyerEmail)
		}
		return nil
	case "mark-paid":
		if len(args) != 2 {
			return errors.New("usage: hsworkshop orders mark-paid INVOICE_NUMBER")
		}
		o, err := models.FindOrderByInvoiceNumber(ctx, db, args[1])
		if err != nil {
			return fmt.Errorf("no invoice %s: %w", args[1], err)
		}
		bk, err := newBooking(cfg, db, newLogger(cfg, io.Discard))
		if err != nil {
			return err
		}
		if err := bk.MarkInvoicePaid(ctx, o); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "invoice %s (order %s, %s) marked paid; confirmations queued\n", args[1], o.Number(), o.Total())
		return nil
	}
	return fmt.Errorf("unknown orders command %q", args[0])
}
