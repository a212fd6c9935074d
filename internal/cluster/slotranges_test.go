package cluster

import (
	"reflect"
	"testing"

	"shoal/internal/cluster/bus"
)

// TestSlotRanges checks the byte-skipping scan against runs that start and
// end inside bytes, on byte edges, and at both ends of the slot space.
func TestSlotRanges(t *testing.T) {
	tests := []struct {
		set  [][2]int
		want [][2]int
	}{
		{nil, nil},
		{[][2]int{{0, 0}}, [][2]int{{0, 0}}},
		{[][2]int{{0, NumSlots - 1}}, [][2]int{{0, NumSlots - 1}}},
		{[][2]int{{NumSlots - 1, NumSlots - 1}}, [][2]int{{NumSlots - 1, NumSlots - 1}}},
		{[][2]int{{3, 5}, {7, 7}, {8, 15}, {17, 100}}, [][2]int{{3, 5}, {7, 15}, {17, 100}}},
		{[][2]int{{8, 15}, {24, 31}}, [][2]int{{8, 15}, {24, 31}}},
		{[][2]int{{5, 16000}, {16383, 16383}}, [][2]int{{5, 16000}, {16383, 16383}}},
	}
	for _, tt := range tests {
		var b bus.Bitmap
		for _, r := range tt.set {
			for j := r[0]; j <= r[1]; j++ {
				b.Set(j)
			}
		}
		if got := SlotRanges(&b); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("SlotRanges(%v) = %v; want %v", tt.set, got, tt.want)
		}
	}
}
