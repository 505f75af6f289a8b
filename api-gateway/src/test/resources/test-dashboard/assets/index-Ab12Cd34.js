console.log("test-dashboard-script");
