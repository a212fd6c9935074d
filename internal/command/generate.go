package command

//go:generate go run ./gen
