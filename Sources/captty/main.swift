print("captty")
