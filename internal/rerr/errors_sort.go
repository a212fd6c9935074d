package rerr

// Errors of SORT and SORT_RO (sort.c).
var (
	SortNotDouble  = []byte("-ERR One or more scores can't be converted into double\r\n")
	SortByCluster  = []byte("-ERR BY option of SORT denied in Cluster mode.\r\n")
	SortGetCluster = []byte("-ERR GET option of SORT denied in Cluster mode.\r\n")
)
