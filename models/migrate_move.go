package models

import "gorm.io/gorm"

// migrate0016Move links an order split off by the payments desk (one
// attendee moved to another session) to the order that holds its payment.
func migrate0016Move(tx *gorm.DB) error {
	type order struct {
		MovedFromOrderID *uint `gorm:"index"`
	}
	return tx.Table("orders").Migrator().AddColumn(&order{}, "MovedFromOrderID")
}
