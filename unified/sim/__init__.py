"""Protocol-faithful local venues: a neutral matching engine behind each venue's wire protocol."""
