print("hookwork")
